// The npm packages of the MQTT layer, behind one door. Plain JavaScript on purpose: TypeScript
// never reads this file (vendor.d.ts describes it), so the packages' own typings, which pull in
// @types/node (`/// <reference types="node" />` in @types/readable-stream; 'http' and 'ws' in
// MQTT.js), never enter the agent's type check, whose point is that Node globals do not exist.
//
// Both are CommonJS. Node, and esbuild for a "type": "module" package, give an ES default import
// the whole `module.exports`: hence `.Duplex`, and `.default` for MQTT.js's `exports.default`.
import readableStream from 'readable-stream';
// Not the root `mqtt` package: it loads a prebuilt browser bundle that fails under QuickJS.
import clientModule from 'mqtt/lib/client';

export const Duplex = readableStream.Duplex;
export const MqttClient = clientModule.default ?? clientModule;
