// The signer that reads the ISP's Ed25519 private key from a file (PKCS#8 PEM, what
// `npm run sign -- keygen` writes), refusing a file that others than its owner may read.
// Tokens are compact JWS with header {"alg":"EdDSA"} (plus kid when configured) over the JSON of
// the claims: exactly what the agent verifies (agent/remote/jws.ts).
import { statSync, readFileSync } from 'node:fs';
import { CompactSign, importPKCS8 } from 'jose';
import type { Signer } from './signer.ts';

export class SigningKeyError extends Error {}

export async function fileSigner(path: string, kid?: string): Promise<Signer> {
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
  let key: Awaited<ReturnType<typeof importPKCS8>>;
  try {
    key = await importPKCS8(readFileSync(path, 'utf8'), 'EdDSA');
  } catch (error) {
    throw new SigningKeyError(
      `signing key ${path} is not an Ed25519 PKCS#8 PEM key: ${(error as Error).message}`,
    );
  }
  const header = kid === undefined ? { alg: 'EdDSA' } : { alg: 'EdDSA', kid };
  const encoder = new TextEncoder();
  return {
    ...(kid !== undefined && { kid }),
    sign: (claims) =>
      new CompactSign(encoder.encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key),
  };
}

/** Without a key every signature fails, so every action is refused and nothing is published. */
export const NO_SIGNER: Signer = {
  sign: () => Promise.reject(new SigningKeyError('no signing key configured (PORTAL_SIGNING_KEY)')),
};
