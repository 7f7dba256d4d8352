// Stand-in for base64-js and ieee754, which the npm `buffer` package loads for base64 text and
// float fields. MQTT.js reads and writes neither (the agent decodes its own base64url), so these
// 2 KB are left out; a call fails loudly rather than returning wrong bytes.
'use strict';

function unsupported() {
  throw new Error('base64 and float codecs are not in the QuickJS bundle');
}

module.exports = {
  // base64-js
  byteLength: unsupported,
  toByteArray: unsupported,
  fromByteArray: unsupported,
  // ieee754
  read: unsupported,
  write: unsupported,
};
