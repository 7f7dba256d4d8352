import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { looksLikeJws, verifyJws } from '../../../agent/remote/jws.ts';
import { inputError } from '../helpers.ts';
import { b64url, makeIsp } from './tokens.ts';

const isp = await makeIsp();
const other = await makeIsp();
const claims = { version: 3, enabled: true };
const token = await isp.sign(claims, { sub: 'cpe-0001', iat: 1795845600, exp: 1795849200 });
const [header, payload, signature] = token.split('.') as [string, string, string];

function code(t: string, keys = isp.keys): string {
  return inputError(() => verifyJws(t, keys)).code;
}

test('a token signed by jose verifies and gives its claims', () => {
  assert.equal(verifyJws(token, isp.keys), {
    ...claims,
    sub: 'cpe-0001',
    iat: 1795845600,
    exp: 1795849200,
  });
});

test('surrounding whitespace (a trailing newline from a file) is ignored', () => {
  assert.equal(verifyJws(`\n ${token}\n`, isp.keys), verifyJws(token, isp.keys));
});

test('typ and kid in the header are fine', () => {
  const t = isp.signRaw({ alg: 'EdDSA', typ: 'JWT', kid: 'isp-2026' }, '{"a":1}');
  assert.equal(verifyJws(t, isp.keys), { a: 1 });
});

test('another key, a changed payload or a changed header: bad_signature', () => {
  assert.is(code(token, other.keys), 'bad_signature');
  const forgedPayload = b64url(JSON.stringify({ ...claims, enabled: false }));
  assert.is(code(`${header}.${forgedPayload}.${signature}`), 'bad_signature');
  const forgedHeader = b64url(JSON.stringify({ alg: 'EdDSA', kid: 'x' }));
  assert.is(code(`${forgedHeader}.${payload}.${signature}`), 'bad_signature');
});

test('a forged 64-byte signature: bad_signature', () => {
  assert.is(code(`${header}.${payload}.${b64url(new Uint8Array(64))}`), 'bad_signature');
  assert.is(code(`${header}.${payload}.${b64url(new Uint8Array(64).fill(0xff))}`), 'bad_signature');
  const flipped = Buffer.from(signature, 'base64url');
  flipped[10] = flipped[10]! ^ 1;
  assert.is(code(`${header}.${payload}.${b64url(flipped)}`), 'bad_signature');
});

test('a public key of the wrong length never verifies (no exception escapes)', () => {
  assert.is(code(token, [{ kid: null, key: isp.publicKey.slice(0, 31) }]), 'bad_signature');
  assert.is(code(token, [{ kid: null, key: new Uint8Array(32) }]), 'bad_signature');
});

test('the header kid picks the key; a kid that is not a string: malformed_token', () => {
  const keys = [
    { kid: 'other', key: other.publicKey },
    { kid: 'isp', key: isp.publicKey },
  ];
  assert.equal(verifyJws(isp.signRaw({ alg: 'EdDSA', kid: 'isp' }, '{"a":1}'), keys), { a: 1 });
  assert.is(code(isp.signRaw({ alg: 'EdDSA', kid: 'other' }, '{}'), keys), 'bad_signature');
  assert.is(code(isp.signRaw({ alg: 'EdDSA' }, '{}'), keys), 'unknown_key');
  assert.is(code(isp.signRaw({ alg: 'EdDSA', kid: 'nobody' }, '{}'), keys), 'unknown_key');
  assert.is(code(isp.signRaw({ alg: 'EdDSA', kid: 5 }, '{}')), 'malformed_token');
});

test('any alg but EdDSA: unsupported_algorithm, even when the signature is valid', () => {
  for (const alg of ['none', 'HS256', 'ES256', 'RS256', 'Ed25519', 'eddsa', undefined, 5]) {
    const t = isp.signRaw({ alg }, '{"a":1}');
    assert.is(code(t), 'unsupported_algorithm', String(alg));
  }
});

test('a crit header is refused (we understand no extension)', () => {
  const t = isp.signRaw({ alg: 'EdDSA', crit: ['exp'], exp: 1 }, '{"a":1}');
  const error = inputError(() => verifyJws(t, isp.keys));
  assert.is(error.code, 'malformed_token');
  assert.match(error.message, 'crit');
  assert.is(code(isp.signRaw({ alg: 'EdDSA', crit: [] }, '{}')), 'malformed_token');
});

test('a signature that is not 64 bytes: malformed_token', () => {
  for (const bytes of [0, 32, 63, 65, 128]) {
    const t = `${header}.${payload}.${b64url(new Uint8Array(bytes).fill(7))}`;
    const error = inputError(() => verifyJws(t, isp.keys));
    assert.is(error.code, 'malformed_token', `${bytes} bytes`);
    assert.match(error.message, '64 bytes');
  }
});

test('parts that are not base64url: malformed_token', () => {
  assert.is(code(`${header}+.${payload}.${signature}`), 'malformed_token');
  assert.is(code(`${header}=.${payload}.${signature}`), 'malformed_token');
  assert.is(code(`${header}.${payload}.${signature}/`), 'malformed_token');
  assert.is(code(`${header}.${payload}.${signature.slice(0, -1)}`), 'malformed_token'); // bad length
  assert.is(code(`A.${payload}.${signature}`), 'malformed_token'); // 1 char: no whole byte
});

test('a header that is not a JSON object: malformed_token', () => {
  for (const text of ['not json', '[]', 'null', '"EdDSA"', '42']) {
    const t = `${b64url(text)}.${payload}.${signature}`;
    assert.is(code(t), 'malformed_token', text);
  }
});

test('a validly signed payload that is not JSON: malformed_token', () => {
  const t = isp.signRaw({ alg: 'EdDSA' }, 'version=3');
  const error = inputError(() => verifyJws(t, isp.keys));
  assert.is(error.code, 'malformed_token');
  assert.match(error.message, 'payload is not JSON');
});

test('UTF-8 in the claims survives', () => {
  const t = isp.signRaw({ alg: 'EdDSA' }, JSON.stringify({ note: 'ポート25 ✓' }));
  assert.equal(verifyJws(t, isp.keys), { note: 'ポート25 ✓' });
});

test('not three parts: malformed_token', () => {
  assert.is(code(`${header}.${payload}`), 'malformed_token');
  assert.is(code(`${header}.${payload}.${signature}.${signature}`), 'malformed_token');
  assert.is(code(''), 'malformed_token');
});

test('looksLikeJws tells tokens from JSON', () => {
  assert.ok(looksLikeJws(token));
  assert.ok(looksLikeJws(`${token}\n`));
  assert.ok(looksLikeJws('a.b.c'));
  for (const text of [
    '{"version":1}',
    '',
    'a.b',
    'a.b.c.d',
    'a..c',
    'a.b.c d',
    '1.5',
    '{"a":"b.c.d"}',
  ])
    assert.not.ok(looksLikeJws(text), text);
});

test.run();
