// The ISP's Ed25519 verification keys, as `jose` or `openssl` export them: a PEM "PUBLIC KEY"
// (SubjectPublicKeyInfo), a JWK {"kty":"OKP","crv":"Ed25519","x":...}, or a JWK Set
// {"keys":[...]} of up to MAX_KEYS keys told apart by `kid`, so that the ISP can roll its key
// (docs/security.md). Every key is checked as RFC 8032 and libsodium do: a canonical encoding
// of a point on the curve, not of small order (such a key would accept forged signatures).
import { decodeBase64, decodeBase64Url } from '../encoding/base64.ts';
import { InputError } from '../input-error.ts';
import { loadPackages } from '../vendor/load-packages.ts';

export interface VerifyKey {
  /** The JWK's `kid`; null for a PEM key or a JWK without one. */
  readonly kid: string | null;
  /** The 32-byte public key. */
  readonly key: Uint8Array;
}

/** One to MAX_KEYS keys; in a set of two or more each has its own kid. */
export type VerifyKeys = readonly VerifyKey[];

/** A small set: the keys in use during a rotation (old, new), with room for a spare. */
export const MAX_KEYS = 8;
/** Like a command id: printable, no spaces, short. */
export const KID = /^[A-Za-z0-9._:-]{1,64}$/;

// DER SubjectPublicKeyInfo header for id-Ed25519 (1.3.101.112), followed by the 32-byte key.
const SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

function invalid(why: string): InputError {
  return new InputError('invalid_verify_key', `invalid verification key: ${why}`);
}

/** Refuses what is not a canonical, large-order curve point (identity, torsion, y >= p...). */
function checkedPoint(key: Uint8Array, name: string): Uint8Array {
  const point = loadPackages().ed25519Point(key);
  if (point === 'invalid') throw invalid(`${name} is not a canonical Ed25519 point`);
  if (point === 'small_order')
    throw invalid(`${name} is a point of small order, which would accept forged signatures`);
  return key;
}

function keyFromJwk(jwk: unknown, name: string): VerifyKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw invalid(`${name} is not a JSON object`);
  const { kty, crv, x, d, kid, alg, use } = jwk as Record<string, unknown>;
  // The signing key belongs at the ISP only; on routers anyone could read it and sign.
  if (d !== undefined) throw invalid(`${name} holds a private key: give the public key only`);
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string')
    throw invalid(`expected ${name} with kty OKP and crv Ed25519`);
  if (alg !== undefined && alg !== 'EdDSA') throw invalid(`${name} is for alg ${String(alg)}`);
  if (use !== undefined && use !== 'sig') throw invalid(`${name} is not for signatures (use)`);
  if (kid !== undefined && (typeof kid !== 'string' || !KID.test(kid)))
    throw invalid(`${name} kid must be 1..64 of A-Z a-z 0-9 . _ : -`);
  const key = decodeBase64Url(x);
  if (!key || key.length !== 32) throw invalid(`${name} x must be 32 bytes`);
  return { kid: kid ?? null, key: checkedPoint(key, name) };
}

function keysFromJson(text: string): VerifyKeys {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('not valid JSON');
  }
  const set = (json ?? {}) as Record<string, unknown>;
  if (!('keys' in set)) return [keyFromJwk(json, 'the JWK')];
  const { keys } = set;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS)
    throw invalid(`a JWK Set needs 1..${MAX_KEYS} keys`);
  const parsed = keys.map((jwk, i) => keyFromJwk(jwk, `key ${i + 1} of the JWK Set`));
  if (parsed.length > 1) {
    const kids = parsed.map((k) => k.kid);
    if (kids.some((kid) => kid === null))
      throw invalid('every key of a JWK Set with several keys needs a kid');
    if (new Set(kids).size !== kids.length) throw invalid('two keys of the JWK Set share a kid');
  }
  return parsed;
}

/** The keys of a verify_key_file. Throws InputError (invalid_verify_key). */
export function parseVerifyKeys(text: string): VerifyKeys {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return keysFromJson(trimmed);
  const pem = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----$/.exec(
    trimmed,
  );
  if (!pem) throw invalid('expected a PEM PUBLIC KEY, an Ed25519 JWK or a JWK Set');
  const der = decodeBase64(pem[1]!.replace(/\s+/g, ''));
  if (!der || der.length !== 44 || SPKI_PREFIX.some((b, i) => der[i] !== b))
    throw invalid('not an Ed25519 public key');
  return [{ kid: null, key: checkedPoint(der.slice(12), 'the key') }];
}

/** One PEM key or JWK: its 32 bytes. */
export function parseEd25519PublicKey(text: string): Uint8Array {
  const keys = parseVerifyKeys(text);
  if (keys.length !== 1) throw invalid('expected one key');
  return keys[0]!.key;
}

/**
 * The key a token's `kid` names. With exactly one key configured, a token without kid uses it,
 * and so does a token with any kid when that key has none of its own (so the ISP can start
 * sending kids before its routers know them). Anything else is refused as unknown_key.
 */
export function selectKey(keys: VerifyKeys, kid: string | undefined): Uint8Array {
  const named = kid === undefined ? undefined : keys.find((k) => k.kid === kid);
  if (named) return named.key;
  const only = keys.length === 1 ? keys[0]! : null;
  if (only && (kid === undefined || only.kid === null)) return only.key;
  throw new InputError(
    'unknown_key',
    kid === undefined
      ? `the token has no kid and ${keys.length} keys are configured`
      : `no configured key has kid ${JSON.stringify(kid)}`,
  );
}
