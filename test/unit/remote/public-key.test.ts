import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEd25519PublicKey } from '../../../agent/remote/public-key.ts';
import { inputError } from '../helpers.ts';
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

test.run();
