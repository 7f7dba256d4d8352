import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MAX_KEYS,
  parseEd25519PublicKey,
  parseVerifyKeys,
  selectKey,
} from '../../../agent/remote/public-key.ts';
import { inputError } from '../helpers.ts';
import { jwkOf } from './forgeries.ts';
import { makeIsp } from './tokens.ts';

const isp = await makeIsp();
const invalid = (text: string) => inputError(() => parseEd25519PublicKey(text));

test('a PEM SubjectPublicKeyInfo from jose gives the raw 32-byte key', () => {
  const key = parseEd25519PublicKey(isp.spki);
  assert.is(key.length, 32);
  assert.equal([...key], [...isp.publicKey]);
});

test('a JWK from jose gives the same key', () => {
  assert.equal([...parseEd25519PublicKey(isp.jwk)], [...isp.publicKey]);
});

test('whitespace, CRLF line ends and a PEM body split over lines are fine', () => {
  const body = isp.spki.split('\n')[1]!;
  const split = `-----BEGIN PUBLIC KEY-----\r\n${body.slice(0, 30)}\r\n${body.slice(30)}\r\n-----END PUBLIC KEY-----\r\n`;
  assert.equal([...parseEd25519PublicKey(`\n  ${split}\n`)], [...isp.publicKey]);
  assert.equal([...parseEd25519PublicKey(`  ${isp.jwk}\n`)], [...isp.publicKey]);
});

test('a key written by openssl (pkey -pubout) is read too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-key-'));
  try {
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'k.pem')]);
    execFileSync('openssl', [
      'pkey',
      '-in',
      join(dir, 'k.pem'),
      '-pubout',
      '-out',
      join(dir, 'p.pem'),
    ]);
    const raw = execFileSync('openssl', [
      'pkey',
      '-in',
      join(dir, 'k.pem'),
      '-pubout',
      '-outform',
      'DER',
    ]);
    const key = parseEd25519PublicKey(readFileSync(join(dir, 'p.pem'), 'utf8'));
    assert.equal([...key], [...raw.subarray(12)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('garbage is invalid_verify_key', () => {
  for (const text of [
    '',
    'hello',
    '{',
    '{}',
    'null',
    '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----',
    '-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----',
    isp.spki.replace('PUBLIC KEY', 'PRIVATE KEY'),
    `${isp.spki}trailing`,
  ])
    assert.is(invalid(text).code, 'invalid_verify_key', JSON.stringify(text));
});

test('JWKs of other key types or curves, or with a bad x, are refused', () => {
  const jwk = JSON.parse(isp.jwk) as Record<string, string>;
  for (const bad of [
    { ...jwk, kty: 'EC' },
    { ...jwk, crv: 'X25519' },
    { ...jwk, crv: 'Ed448' },
    { kty: 'OKP', crv: 'Ed25519' },
    { ...jwk, x: 5 },
    { ...jwk, x: jwk.x!.slice(0, -2) },
    { ...jwk, x: `${jwk.x!}AA` },
    { ...jwk, x: `${jwk.x!.slice(0, -1)}+` },
  ]) {
    const error = invalid(JSON.stringify(bad));
    assert.is(error.code, 'invalid_verify_key', JSON.stringify(bad));
  }
});

test('PEM keys of other algorithms are refused', async () => {
  for (const alg of ['ES256', 'RS256'] as const) {
    const { publicKey } = await generateKeyPair(alg, { extractable: true });
    const error = invalid(await exportSPKI(publicKey));
    assert.match(error.message, 'not an Ed25519 public key');
  }
  // X25519 has the same length; only the OID (1.3.101.110) tells it apart.
  const { publicKey } = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  assert.match(invalid(await exportSPKI(publicKey)).message, 'not an Ed25519 public key');
  const x25519 = await exportJWK(publicKey);
  assert.is(invalid(JSON.stringify(x25519)).code, 'invalid_verify_key');
});

// BUG: agent/remote/public-key.ts:22 takes a JWK that carries the private key ("d") as a
// verification key. The ISP's signing key then sits on every router, where anyone who opens
// one can sign for all of them. Fix: refuse a JWK with "d" (invalid('a private key: give the
// public key only')).
test('a JWK holding the private key (d) is refused', async () => {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  assert.ok(privateJwk.d);
  assert.is(invalid(JSON.stringify(privateJwk)).code, 'invalid_verify_key');
});

const other = await makeIsp();
const set = (...keys: unknown[]) => JSON.stringify({ keys });

test('a JWK Set gives its keys with their kids; a single JWK or PEM has none unless given', () => {
  const keys = parseVerifyKeys(
    set(jwkOf(isp.publicKey, 'isp-2026'), jwkOf(other.publicKey, 'isp-2027')),
  );
  assert.equal(
    keys.map((k) => [k.kid, [...k.key]]),
    [
      ['isp-2026', [...isp.publicKey]],
      ['isp-2027', [...other.publicKey]],
    ],
  );
  assert.equal(
    parseVerifyKeys(isp.spki).map((k) => k.kid),
    [null],
  );
  assert.equal(
    parseVerifyKeys(JSON.stringify(jwkOf(isp.publicKey, 'a'))).map((k) => k.kid),
    ['a'],
  );
  assert.equal(
    parseVerifyKeys(set(jwkOf(isp.publicKey))).map((k) => k.kid),
    [null],
  );
  const withExtras = { ...jwkOf(isp.publicKey, 'k'), alg: 'EdDSA', use: 'sig' };
  assert.is(parseVerifyKeys(set(withExtras)).length, 1);
});

test('JWK Sets: empty, too many, kids missing, shared or malformed, wrong alg or use: refused', () => {
  const a = jwkOf(isp.publicKey, 'a');
  const many = Array.from({ length: MAX_KEYS + 1 }, (_, i) => jwkOf(isp.publicKey, `k${i}`));
  for (const [label, text] of [
    ['empty', set()],
    ['not a list', JSON.stringify({ keys: a })],
    ['too many', set(...many)],
    ['a kid missing', set(a, jwkOf(other.publicKey))],
    ['a shared kid', set(a, jwkOf(other.publicKey, 'a'))],
    ['a kid with a space', set(jwkOf(isp.publicKey, 'a b'))],
    ['a numeric kid', set({ ...a, kid: 7 })],
    ['alg ES256', set({ ...a, alg: 'ES256' })],
    ['use enc', set({ ...a, use: 'enc' })],
    ['a private key inside', set({ ...a, d: a.x })],
    ['a key that is not an object', set('key')],
  ] as const)
    assert.is(invalid(text).code, 'invalid_verify_key', label);
  assert.is(parseVerifyKeys(set(...many.slice(1))).length, MAX_KEYS);
});

// BUG: a small-order (identity) key was accepted (at start and on SIGHUP); the forged token
// R = B, S = 1 then verified. test/unit/remote/strict-signatures.test.ts has the whole set.
test('small-order and non-canonical keys are refused, in PEM, JWK and JWK Set', () => {
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const error = invalid(JSON.stringify(jwkOf(identity)));
  assert.is(error.code, 'invalid_verify_key');
  assert.match(error.message, 'small order');
  assert.match(invalid(set(jwkOf(isp.publicKey, 'a'), jwkOf(identity, 'b'))).message, 'key 2');
  const nonCanonical = new Uint8Array(32).fill(0xff);
  nonCanonical[0] = 0xee;
  nonCanonical[31] = 0x7f;
  assert.match(invalid(JSON.stringify(jwkOf(nonCanonical))).message, 'not a canonical');
});

test('selectKey: by kid; without kid only with one key; a lone key without kid takes any kid', () => {
  const two = parseVerifyKeys(set(jwkOf(isp.publicKey, 'old'), jwkOf(other.publicKey, 'new')));
  assert.equal([...selectKey(two, 'new')], [...other.publicKey]);
  assert.equal([...selectKey(two, 'old')], [...isp.publicKey]);
  assert.is(inputError(() => selectKey(two, undefined)).code, 'unknown_key');
  assert.is(inputError(() => selectKey(two, 'other')).code, 'unknown_key');
  const lone = parseVerifyKeys(isp.spki);
  assert.equal([...selectKey(lone, undefined)], [...isp.publicKey]);
  assert.equal([...selectKey(lone, 'isp-2026')], [...isp.publicKey]);
  const named = parseVerifyKeys(JSON.stringify(jwkOf(isp.publicKey, 'a')));
  assert.equal([...selectKey(named, undefined)], [...isp.publicKey]);
  assert.equal([...selectKey(named, 'a')], [...isp.publicKey]);
  assert.is(inputError(() => selectKey(named, 'b')).code, 'unknown_key');
});

test.run();
