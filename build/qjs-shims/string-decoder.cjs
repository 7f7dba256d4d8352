// readable-stream loads string_decoder for Readable.setEncoding(), which nothing in the agent
// calls: MQTT.js reads bytes. 3.6 KB less; a call would fail loudly rather than decode wrongly.
'use strict';

class StringDecoder {
  constructor() {
    throw new Error('StringDecoder is not in the QuickJS bundle (setEncoding is unsupported)');
  }
}

module.exports = { StringDecoder };
