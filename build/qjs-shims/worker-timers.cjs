// `worker-timers` for the QuickJS bundle. MQTT.js requires it when it loads (for browsers, whose
// background tabs throttle timers) but only calls it with `timerVariant: 'worker'`; the agent
// uses 'native'. Delegating to the global timers keeps that option harmless instead of pulling in
// the real package (Web Workers, Blob URLs).
'use strict';

module.exports = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id),
};
