// Types for ed25519-verify.js (plain JavaScript beside packages.js, which says why).
export interface Ed25519Verifier {
  /** RFC 8032 strict as libsodium: canonical A and R, neither of small order, S < L. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** A 32-byte point encoding: canonical and on the curve, and whether of small order. */
  classify(bytes: Uint8Array): 'ok' | 'small_order' | 'invalid';
}

/** `ed` is @noble/ed25519's module namespace (its Point), `sha512` @noble/hashes'. */
export declare function createEd25519Verifier(
  ed: unknown,
  sha512: (data: Uint8Array) => Uint8Array,
): Ed25519Verifier;
