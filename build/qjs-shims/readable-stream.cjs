// readable-stream without its root module, whose operators, compose, pipeline and promises
// (about 15 KB minified) nothing in the agent uses: MQTT.js, bl and the transport need only the
// stream classes. Same classes, same behaviour; `require('readable-stream').Duplex` etc. work.
// (Literal paths: esbuild bundles only requires it can read.)
'use strict';
const Stream = require('../../node_modules/readable-stream/lib/internal/streams/legacy.js').Stream;
Stream.Readable = require('../../node_modules/readable-stream/lib/internal/streams/readable.js');
Stream.Writable = require('../../node_modules/readable-stream/lib/internal/streams/writable.js');
Stream.Duplex = require('../../node_modules/readable-stream/lib/internal/streams/duplex.js');
Stream.Transform = require('../../node_modules/readable-stream/lib/internal/streams/transform.js');
Stream.PassThrough = require('../../node_modules/readable-stream/lib/internal/streams/passthrough.js');
Stream.Stream = Stream;
// Used by readable.js and writable.js themselves (set by the root module upstream).
const { Buffer } = require('buffer');
Stream._isUint8Array = (value) => value instanceof Uint8Array;
Stream._uint8ArrayToBuffer = (chunk) =>
  Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
module.exports = Stream;
