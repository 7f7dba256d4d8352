// Compact JWS with EdDSA (Ed25519), the only form the agent accepts when a key is configured.
// `jose` cannot run under QuickJS (no TextEncoder, no WebCrypto); this is the verify side only.
// Verification is strict (RFC 8032 5.1.7, as libsodium): canonical S < L, canonical R and A, no
// R or A of small order; the key is the one the header's `kid` names (public-key.ts).
import { decodeBase64Url } from '../encoding/base64.ts';
import { parseStrictJson } from '../encoding/strict-json.ts';
import { decodeUtf8 } from '../encoding/utf8.ts';
import { InputError } from '../input-error.ts';
import { loadPackages } from '../vendor/load-packages.ts';
import { selectKey, type VerifyKeys } from './public-key.ts';

function malformed(why: string): InputError {
  return new InputError('malformed_token', `malformed signed message: ${why}`);
}

function decodeJson(part: string, what: string): unknown {
  const bytes = decodeBase64Url(part);
  if (!bytes) throw malformed(`${what} is not base64url`);
  const text = decodeUtf8(bytes, true);
  if (text === null) throw malformed(`${what} is not UTF-8`);
  try {
    return parseStrictJson(text);
  } catch (error) {
    throw malformed(`${what} is not JSON: ${error instanceof Error ? error.message : ''}`);
  }
}

export function looksLikeJws(payload: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(payload.trim());
}

function badSignature(): InputError {
  return new InputError('bad_signature', 'signature does not verify with the configured key');
}

/** Verifies the token and returns its claims (any JSON). Throws InputError otherwise. */
export function verifyJws(token: string, keys: VerifyKeys): unknown {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw malformed('expected header.payload.signature');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart, 'header');
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw malformed('header is not an object');
  const { alg, crit, kid } = header as Record<string, unknown>;
  if (alg !== 'EdDSA')
    throw new InputError(
      'unsupported_algorithm',
      `signed message uses alg ${JSON.stringify(alg)}, expected "EdDSA"`,
    );
  // RFC 7515: extensions listed in crit must be understood; we understand none.
  if (crit !== undefined) throw malformed('unsupported crit header');
  if (kid !== undefined && typeof kid !== 'string') throw malformed('kid is not a string');
  const publicKey = selectKey(keys, kid);
  const signature = decodeBase64Url(signaturePart);
  if (!signature || signature.length !== 64) throw malformed('signature must be 64 bytes');
  const input = `${headerPart}.${payloadPart}`;
  const message = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) message[i] = input.charCodeAt(i); // ASCII by construction
  // Also refuses an R of small order, which commits to nothing (8R = 0), as libsodium does.
  let valid = false;
  try {
    valid = loadPackages().verifyEd25519(signature, message, publicKey);
  } catch {
    valid = false;
  }
  if (!valid) throw badSignature();
  return decodeJson(payloadPart, 'payload');
}
