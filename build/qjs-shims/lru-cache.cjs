// The part of lru-cache's LRUCache that MQTT.js's topic-alias-send.js uses (get, set, clear,
// keys, size; evicting the least recently used entry beyond `max`): 20 KB less in the bundle.
// The agent never turns topic aliases on, so this runs only if a broker config ever does.
class LRUCache {
  constructor(options) {
    this.max = options.max;
    this.map = new Map();
  }
  get size() {
    return this.map.size;
  }
  get(key) {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }
  set(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value);
    return this;
  }
  clear() {
    this.map.clear();
  }
  keys() {
    return this.map.keys();
  }
}
module.exports = { LRUCache };
