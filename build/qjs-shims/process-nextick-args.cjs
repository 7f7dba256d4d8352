// process-nextick-args for mqtt-packet: the global process.nextTick (globals.ts) does the job.
'use strict';
module.exports = { nextTick: (fn, ...args) => process.nextTick(fn, ...args) };
