// What the npm packages of the agent need and bellard's QuickJS 2021-03-27 lacks: Object.hasOwn
// (ES2022), which @noble/hashes calls while it loads. Import this module FIRST in a QuickJS entry
// point (ES modules run in import order). Installed only where missing, so on a newer QuickJS it
// is a no-op. Node never loads this file.
//
// MQTT.js needed much more (timers, queueMicrotask, process.nextTick, Buffer,
// Array.prototype.at); the agent's own MQTT client (agent/mqtt/) needs none of them.

/** Defines `name` on `target` unless it is there already; not enumerable, as built-ins are. */
export function install(target: object, name: string, value: unknown): void {
  if ((target as Record<string, unknown>)[name] !== undefined) return;
  Object.defineProperty(target, name, { value, writable: true, configurable: true });
}

install(Object, 'hasOwn', (object: object, key: PropertyKey): boolean =>
  Object.prototype.hasOwnProperty.call(object, key),
);
