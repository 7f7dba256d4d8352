// `abort-controller` for the QuickJS bundle. readable-stream requires it when it loads if there is
// no global AbortController (QuickJS has none), and the package's browser build only re-exports
// the browser's own, so it fails there. Only pipeline(), compose() and the stream operators use
// it, which the agent does not; this small implementation works all the same.
'use strict';

class AbortSignal {
  constructor() {
    this.aborted = false;
    this.reason = undefined;
    this.onabort = null;
    this._listeners = [];
  }

  addEventListener(type, listener, options) {
    if (type === 'abort' && listener)
      this._listeners.push({ listener, once: Boolean(options && options.once) });
  }

  removeEventListener(type, listener) {
    this._listeners = this._listeners.filter((entry) => entry.listener !== listener);
  }

  throwIfAborted() {
    if (this.aborted) throw this.reason;
  }

  _abort(reason) {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: 'abort', target: this };
    if (typeof this.onabort === 'function') this.onabort(event);
    for (const { listener, once } of this._listeners.slice()) {
      if (once) this.removeEventListener('abort', listener);
      if (typeof listener === 'function') listener.call(this, event);
      else listener.handleEvent(event);
    }
  }
}

class AbortController {
  constructor() {
    this.signal = new AbortSignal();
  }

  abort(reason) {
    const error = new Error('This operation was aborted');
    error.name = 'AbortError';
    this.signal._abort(reason === undefined ? error : reason);
  }
}

module.exports = AbortController;
module.exports.AbortController = AbortController;
module.exports.AbortSignal = AbortSignal;
module.exports.default = AbortController;
