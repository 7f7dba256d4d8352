// The npm packages the agent uses, behind one door. Plain JavaScript on purpose: TypeScript never
// reads this file (packages.d.ts describes it), so the packages' own typings, which pull in
// @types/node (`/// <reference types="node" />` in @types/readable-stream; 'http' and 'ws' in
// MQTT.js), never enter the agent's type check, whose point is that Node globals do not exist.
//
// Nothing imports this file directly but load-packages.ts, which only the daemon's code reaches:
// in the QuickJS bundle it sits in the daemon's chunk, which only `run` loads (esbuild.config.ts).
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

import { createEd25519Verifier } from './ed25519-verify.js';

ed.hashes.sha512 = sha512;
const ed25519 = createEd25519Verifier(ed, sha512);
// MQTT.js and its packages take the global Buffer for granted in places; QuickJS has none.
if (globalThis.Buffer === undefined) globalThis.Buffer = Buffer;

export const packages = {
  Duplex: readableStream.Duplex,
  MqttClient: clientModule.default ?? clientModule,
  Buffer,
  // RFC 8032 strict, as libsodium: ed25519-verify.js says what it checks and why it has tables.
  verifyEd25519: ed25519.verify,
  ed25519Point: ed25519.classify,
};
