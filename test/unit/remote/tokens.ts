// Real Ed25519 keys and tokens for the remote/ tests, made with jose (the ISP's side), plus
// hand-made tokens for what jose refuses to make (other headers, broken signatures).
import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { VerifyKeys } from '../../../agent/remote/public-key.ts';

export interface Isp {
  /** The raw 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** The same key as the agent keeps it: a set of one key without kid. */
  readonly keys: VerifyKeys;
  readonly spki: string;
  readonly jwk: string;
  /** A JWS made by jose's SignJWT with alg EdDSA. */
  sign(
    claims: Record<string, unknown>,
    options?: { sub?: string; exp?: number; iat?: number },
  ): Promise<string>;
  /** A JWS with any header and payload text, signed correctly (node:crypto). */
  signRaw(header: unknown, payloadText: string): string;
}

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

export async function makeIsp(): Promise<Isp> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const nodeKey: KeyObject = createPrivateKey(await exportPKCS8(privateKey));
  const raw = new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
  return {
    publicKey: raw,
    keys: [{ kid: null, key: raw }],
    spki: await exportSPKI(publicKey),
    jwk: JSON.stringify(jwk),
    sign(claims, options = {}) {
      let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' });
      if (options.sub !== undefined) jwt = jwt.setSubject(options.sub);
      if (options.iat !== undefined) jwt = jwt.setIssuedAt(options.iat);
      if (options.exp !== undefined) jwt = jwt.setExpirationTime(options.exp);
      return jwt.sign(privateKey);
    },
    signRaw(header, payloadText) {
      const input = `${b64url(JSON.stringify(header))}.${b64url(payloadText)}`;
      return `${input}.${b64url(nodeSign(null, Buffer.from(input), nodeKey))}`;
    },
  };
}

export { b64url };
