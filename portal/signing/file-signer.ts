// The signer that reads the ISP's Ed25519 private key from a file (PKCS#8 PEM, what
// `npm run sign -- keygen` writes), refusing a file that others than its owner may read.
// Tokens are compact JWS with header {"alg":"EdDSA"} (plus kid when configured) over the JSON of
// the claims: exactly what the agent verifies (agent/remote/jws.ts), and byte for byte what
// jose's CompactSign makes (Ed25519 is deterministic). node:crypto signs synchronously with the
// key parsed once: about ten times jose's rate, which goes through WebCrypto for each token.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Signer } from './signer.ts';

export class SigningKeyError extends Error {}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Parses a PKCS#8 PEM Ed25519 private key; throws SigningKeyError naming `path` otherwise. */
export function readSigningKey(path: string): KeyObject {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new SigningKeyError(`signing key ${path}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0)
    throw new SigningKeyError(
      `signing key ${path} has mode ${(mode & 0o777).toString(8)}: it must be readable by its owner only (chmod 600)`,
    );
  let key: KeyObject;
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN PRIVATE KEY-----')) throw new Error('no PKCS#8 PEM block');
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new SigningKeyError(
      `signing key ${path} is not an Ed25519 PKCS#8 PEM key: ${(error as Error).message}`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      `signing key ${path} is not an Ed25519 PKCS#8 PEM key: it is ${key.asymmetricKeyType}`,
    );
  return key;
}

/** A signer over a parsed Ed25519 key (for an HSM, replace this, not the callers). */
export function keySigner(key: KeyObject, kid?: string): Signer {
  const header = base64url(
    JSON.stringify(kid === undefined ? { alg: 'EdDSA' } : { alg: 'EdDSA', kid }),
  );
  return {
    ...(kid !== undefined && { kid }),
    // async: a failure (e.g. claims that cannot be serialised) is a rejection, never a throw.
    sign: async (claims) => {
      const json = JSON.stringify(claims);
      if (typeof json !== 'string') throw new SigningKeyError('claims are not a JSON object');
      const input = `${header}.${base64url(json)}`;
      return `${input}.${sign(null, Buffer.from(input, 'ascii'), key).toString('base64url')}`;
    },
  };
}

export async function fileSigner(path: string, kid?: string): Promise<Signer> {
  return keySigner(readSigningKey(path), kid);
}

/** Without a key every signature fails, so every action is refused and nothing is published. */
export const NO_SIGNER: Signer = {
  sign: () => Promise.reject(new SigningKeyError('no signing key configured (PORTAL_SIGNING_KEY)')),
};
