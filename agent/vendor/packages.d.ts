// Types for packages.js: the part of @noble/ed25519 the agent uses, written without Node's
// types (packages.js says why). Keep them to what the code calls.

export interface Packages {
  /**
   * Ed25519 signature check, RFC 8032 strict as libsodium (@noble/ed25519's `zip215: false`,
   * and no R of small order); ed25519-verify.js.
   */
  verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** A 32-byte point encoding: canonical and on the curve, and whether of small order. */
  ed25519Point(bytes: Uint8Array): 'ok' | 'small_order' | 'invalid';
}

export declare const packages: Packages;
