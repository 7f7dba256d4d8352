import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeBase64, decodeBase64Url } from '../../../agent/encoding/base64.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const bytes = (u: Uint8Array | null) => (u === null ? null : [...u]);

test('decodeBase64Url matches Node for every length and many random inputs', () => {
  for (let length = 0; length <= 70; length++)
    for (let round = 0; round < 20; round++) {
      const data = randomBytes(length);
      const text = data.toString('base64url');
      assert.equal(bytes(decodeBase64Url(text)), [...data], text);
    }
});

test('every byte value and the URL-safe characters', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  assert.equal(bytes(decodeBase64Url(all.toString('base64url'))), [...all]);
  assert.equal(bytes(decodeBase64Url('-_-_')), [0xfb, 0xff, 0xbf]);
});

test('characters outside the alphabet are refused', () => {
  for (const text of ['AB+C', 'AB/C', 'AB==', 'AB C', 'AB\nC', 'ABC.', 'ÄBCD'])
    assert.is(decodeBase64Url(text), null, JSON.stringify(text));
});

test('a length that cannot be base64 is refused', () => {
  for (const text of ['A', 'AAAAA', 'AAAAAAAAA']) assert.is(decodeBase64Url(text), null, text);
});

test('non-zero leftover bits are refused (one encoding per byte string)', () => {
  assert.equal(bytes(decodeBase64Url('AA')), [0]);
  assert.is(decodeBase64Url('AB'), null);
  assert.equal(bytes(decodeBase64Url('AAA')), [0, 0]);
  assert.is(decodeBase64Url('AAB'), null);
  // The signature part of a JWS: 64 bytes are 86 characters, whose last 4 bits must be zero.
  const signature = randomBytes(64).toString('base64url');
  assert.is(decodeBase64Url(signature)!.length, 64);
  const last = ALPHABET.indexOf(signature.slice(-1));
  const tweaked = signature.slice(0, -1) + ALPHABET[last ^ 1]!;
  assert.is(decodeBase64Url(tweaked), null);
});

test('decodeBase64: standard alphabet with padding, as in PEM', () => {
  for (let length = 0; length <= 50; length++) {
    const data = randomBytes(length);
    assert.equal(bytes(decodeBase64(data.toString('base64'))), [...data]);
  }
  assert.equal(bytes(decodeBase64('+/+/')), [0xfb, 0xff, 0xbf]);
  assert.is(decodeBase64('-_-_'), null, 'URL-safe characters are not standard base64');
  assert.is(decodeBase64('AA=A'), null, 'padding only at the end');
  assert.is(decodeBase64('AA AA'), null);
});

test.run();
