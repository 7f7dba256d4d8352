// Ed25519 keys and signatures that a lax verifier (ZIP-215 rules, @noble/ed25519's default)
// accepts and RFC 8032 / libsodium refuse: the small-order key with the forged token R = B,
// S = 1 that an adversarial trial got applied, a signature whose R has small order, encodings
// with y >= p, and S >= L. Shared by the unit tests (Node) and test/mqtt/strict-signatures.test.ts
// (the same cases under dist/qjs). Not a test file itself.
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { createHash } from 'node:crypto';

ed.hashes.sha512 = sha512;

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');
const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

function bytesLE(n: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}
const numberLE = (bytes: Uint8Array): bigint =>
  bytes.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);

/** The encodings of the eight points of small order (libsodium's blocklist, canonical forms). */
export const SMALL_ORDER_POINTS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
];

/** Point encodings that are not canonical: y >= p, or x = 0 with the sign bit set. */
export const NON_CANONICAL_POINTS: readonly string[] = [
  Buffer.from(bytesLE(P + 1n)).toString('hex'), // the identity again, y = p + 1
  Buffer.from(bytesLE(P)).toString('hex'), // y = 0 + p
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, sign bit
];

export const IDENTITY = hex(SMALL_ORDER_POINTS[0]!);

function signingInput(header: unknown, claims: unknown): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
}

/** R = the base point, S = 1: valid for ANY message under the identity key, with a lax verifier. */
export function forgedForIdentity(claims: unknown, header: unknown = { alg: 'EdDSA' }): string {
  const input = signingInput(header, claims);
  const signature = new Uint8Array(64);
  signature.set(ed.Point.BASE.toBytes(), 0);
  signature.set(bytesLE(1n), 32);
  return `${input}.${b64url(signature)}`;
}

/** The same forgery under a non-canonical identity key (y = p + 1). */
export const NON_CANONICAL_IDENTITY = hex(NON_CANONICAL_POINTS[0]!);

export interface Signer {
  readonly publicKey: Uint8Array;
  /** A correct signature, R = rB. */
  sign(claims: unknown, header?: unknown): string;
  /** A signature with R = `r` (a small-order or non-canonical encoding) and S = k * a. */
  signWithR(r: Uint8Array, claims: unknown, header?: unknown): string;
  /** A correct signature with S + L in place of S. */
  signWithBigS(claims: unknown, header?: unknown): string;
}

export function makeSigner(): Signer {
  const secret = ed.utils.randomSecretKey();
  const { scalar, pointBytes } = ed.utils.getExtendedPublicKey(secret);
  const message = (input: string) => new Uint8Array(Buffer.from(input, 'ascii'));
  return {
    publicKey: pointBytes,
    sign(claims, header = { alg: 'EdDSA' }) {
      const input = signingInput(header, claims);
      return `${input}.${b64url(ed.sign(message(input), secret))}`;
    },
    signWithR(r, claims, header = { alg: 'EdDSA' }) {
      const input = signingInput(header, claims);
      // 8R = 0, so [8]SB = [8]R + [8]kA holds with S = k * a: the cofactored equation accepts it.
      const digest = createHash('sha512').update(r).update(pointBytes).update(input).digest();
      const k = numberLE(new Uint8Array(digest)) % L;
      const signature = new Uint8Array(64);
      signature.set(r, 0);
      signature.set(bytesLE((k * scalar) % L), 32);
      return `${input}.${b64url(signature)}`;
    },
    signWithBigS(claims, header = { alg: 'EdDSA' }) {
      const input = signingInput(header, claims);
      const signature = ed.sign(message(input), secret);
      const s = numberLE(signature.subarray(32)) + L;
      signature.set(bytesLE(s), 32);
      return `${input}.${b64url(signature)}`;
    },
  };
}

/** Whether a lax verifier (ZIP-215, the library's default) takes the token: the attack is real. */
export function laxVerifies(token: string, publicKey: Uint8Array): boolean {
  const [h, p, s] = token.split('.') as [string, string, string];
  const signature = new Uint8Array(Buffer.from(s, 'base64url'));
  return ed.verify(signature, new Uint8Array(Buffer.from(`${h}.${p}`, 'ascii')), publicKey);
}

export { hex, b64url };

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A verify_key_file holding `key` as PEM. */
export function pemOf(key: Uint8Array): string {
  const body = Buffer.concat([SPKI_PREFIX, Buffer.from(key)]).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`;
}

/** A JWK (with `kid` when given) for `key`. */
export function jwkOf(key: Uint8Array, kid?: string): Record<string, string> {
  return { kty: 'OKP', crv: 'Ed25519', x: b64url(key), ...(kid !== undefined && { kid }) };
}

export interface StrictCase {
  readonly label: string;
  /** The verify_key_file's text. */
  readonly keyFile: string;
  readonly token: string;
  /** 'ok', or the code of the first refusal (loading the key, then verifying the token). */
  readonly expect: string;
}

/** Every case, for one claims object: what the router must accept and what it must refuse. */
export function strictCases(claims: unknown): StrictCase[] {
  const signer = makeSigner();
  const other = makeSigner();
  const cases: StrictCase[] = [
    { label: 'a correct signature', keyFile: pemOf(signer.publicKey), token: signer.sign(claims), expect: 'ok' },
    {
      label: 'the identity key with the forged token R = B, S = 1',
      keyFile: pemOf(IDENTITY),
      token: forgedForIdentity(claims),
      expect: 'invalid_verify_key',
    },
    {
      label: 'the identity key as a JWK',
      keyFile: JSON.stringify(jwkOf(IDENTITY)),
      token: forgedForIdentity(claims),
      expect: 'invalid_verify_key',
    },
    {
      label: 'a non-canonical identity key (y = p + 1)',
      keyFile: pemOf(NON_CANONICAL_IDENTITY),
      token: forgedForIdentity(claims),
      expect: 'invalid_verify_key',
    },
    {
      label: 'S + L in place of S',
      keyFile: pemOf(signer.publicKey),
      token: signer.signWithBigS(claims),
      expect: 'bad_signature',
    },
    {
      label: 'a JWK Set: the token names the second key',
      keyFile: JSON.stringify({ keys: [jwkOf(other.publicKey, 'old'), jwkOf(signer.publicKey, 'new')] }),
      token: signer.sign(claims, { alg: 'EdDSA', kid: 'new' }),
      expect: 'ok',
    },
    {
      label: 'a JWK Set: the token names the other key',
      keyFile: JSON.stringify({ keys: [jwkOf(other.publicKey, 'old'), jwkOf(signer.publicKey, 'new')] }),
      token: signer.sign(claims, { alg: 'EdDSA', kid: 'old' }),
      expect: 'bad_signature',
    },
    {
      label: 'a JWK Set: a token without kid',
      keyFile: JSON.stringify({ keys: [jwkOf(other.publicKey, 'old'), jwkOf(signer.publicKey, 'new')] }),
      token: signer.sign(claims),
      expect: 'unknown_key',
    },
  ]; // prettier-ignore
  for (const point of SMALL_ORDER_POINTS) {
    cases.push({
      label: `a signature with R of small order ${point.slice(0, 8)}...`,
      keyFile: pemOf(signer.publicKey),
      token: signer.signWithR(hex(point), claims),
      expect: 'bad_signature',
    });
    cases.push({
      label: `the key ${point.slice(0, 8)}... of small order`,
      keyFile: pemOf(hex(point)),
      token: forgedForIdentity(claims),
      expect: 'invalid_verify_key',
    });
  }
  for (const point of NON_CANONICAL_POINTS)
    cases.push({
      label: `a signature with a non-canonical R ${point.slice(0, 8)}...`,
      keyFile: pemOf(signer.publicKey),
      token: signer.signWithR(hex(point), claims),
      expect: 'bad_signature',
    });
  return cases;
}
