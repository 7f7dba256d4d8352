// The ISP's Ed25519 verification key, as `jose` or `openssl` export it: a PEM "PUBLIC KEY"
// (SubjectPublicKeyInfo) or a JWK {"kty":"OKP","crv":"Ed25519","x":...}.
import { decodeBase64, decodeBase64Url } from '../encoding/base64.ts';
import { InputError } from '../input-error.ts';

// DER SubjectPublicKeyInfo header for id-Ed25519 (1.3.101.112), followed by the 32-byte key.
const SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

function invalid(why: string): InputError {
  return new InputError('invalid_verify_key', `invalid verification key: ${why}`);
}

export function parseEd25519PublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(trimmed);
    } catch {
      throw invalid('not valid JSON');
    }
    const { kty, crv, x, d } = (jwk ?? {}) as Record<string, unknown>;
    // The signing key belongs at the ISP only; on routers anyone could read it and sign.
    if (d !== undefined) throw invalid('this JWK holds a private key: give the public key only');
    if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string')
      throw invalid('expected a JWK with kty OKP and crv Ed25519');
    const key = decodeBase64Url(x);
    if (!key || key.length !== 32) throw invalid('JWK x must be 32 bytes');
    return key;
  }
  const pem = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----$/.exec(
    trimmed,
  );
  if (!pem) throw invalid('expected a PEM PUBLIC KEY or an Ed25519 JWK');
  const der = decodeBase64(pem[1]!.replace(/\s+/g, ''));
  if (!der || der.length !== 44 || SPKI_PREFIX.some((b, i) => der[i] !== b))
    throw invalid('not an Ed25519 public key');
  return der.slice(12);
}
