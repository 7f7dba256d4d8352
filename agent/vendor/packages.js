// The npm packages the agent uses, behind one door. Plain JavaScript on purpose: TypeScript never
// reads this file (packages.d.ts describes it), so the packages' own typings never enter the
// agent's type check, whose point is that Node globals do not exist.
//
// Nothing imports this file directly but load-packages.ts, which only the daemon's code reaches:
// in the QuickJS bundle it sits in the daemon's chunk, which only `run` loads (esbuild.config.ts).
// MQTT is the agent's own (agent/mqtt/), not an npm package.
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

import { createEd25519Verifier } from './ed25519-verify.js';

ed.hashes.sha512 = sha512;
const ed25519 = createEd25519Verifier(ed, sha512);

export const packages = {
  // RFC 8032 strict, as libsodium: ed25519-verify.js says what it checks and why it has tables.
  verifyEd25519: ed25519.verify,
  ed25519Point: ed25519.classify,
};
