// `process` (the npm package readable-stream requires as 'process/') for the QuickJS bundle: the
// global one that agent/runtime/quickjs/globals.ts installs, so readable-stream, MQTT.js and
// mqtt-packet share one nextTick queue (the package would run each tick as a 0 ms timer).
'use strict';

module.exports = globalThis.process;
