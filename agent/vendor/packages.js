// The npm packages the agent uses, behind one door. Plain JavaScript on purpose: TypeScript never
// reads this file (packages.d.ts describes it), so the packages' own typings, which pull in
// @types/node (`/// <reference types="node" />` in @types/readable-stream; 'http' and 'ws' in
// MQTT.js), never enter the agent's type check, whose point is that Node globals do not exist.
//
// Nothing imports this file directly but load-packages.ts: the QuickJS bundle evaluates it only
// when the daemon first needs MQTT or a signature check (build/esbuild-qjs-options.ts says why).
//
// readable-stream and MQTT.js are CommonJS. Node, and esbuild for a "type": "module" package,
// give an ES default import the whole `module.exports`: hence `.Duplex`, and `.default` for
// MQTT.js's `exports.default`.
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { Buffer } from 'buffer';
import readableStream from 'readable-stream';
// Not the root `mqtt` package: it loads a prebuilt browser bundle that fails under QuickJS.
import clientModule from 'mqtt/lib/client';

ed.hashes.sha512 = sha512;
// MQTT.js and its packages take the global Buffer for granted in places; QuickJS has none.
if (globalThis.Buffer === undefined) globalThis.Buffer = Buffer;

export const packages = {
  Duplex: readableStream.Duplex,
  MqttClient: clientModule.default ?? clientModule,
  Buffer,
  // zip215: false is the library's RFC 8032 mode: canonical encodings of A and R (y < p, no
  // x = 0 with the sign bit), S < L, and no public key of small order.
  verifyEd25519: (signature, message, publicKey) =>
    ed.verify(signature, message, publicKey, { zip215: false }),
  ed25519Point: (bytes) => {
    let point;
    try {
      point = ed.Point.fromBytes(bytes, false);
    } catch {
      return 'invalid';
    }
    return point.isSmallOrder() ? 'small_order' : 'ok';
  },
};
