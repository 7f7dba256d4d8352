// The agent's Ed25519 verifier (agent/vendor/ed25519-verify.js: fixed-base tables, its own point
// formulas) against the library's strict verify plus libsodium's R check, on the same inputs:
// correct and tampered signatures, every small-order point and every non-canonical encoding as
// R and as A, points with a torsion part, S at and around L. Both must answer alike everywhere.
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEd25519Verifier } from '../../../agent/vendor/ed25519-verify.js';
import { NON_CANONICAL_POINTS, SMALL_ORDER_POINTS } from './forgeries.ts';

ed.hashes.sha512 = sha512;
const agent = createEd25519Verifier(ed, sha512);
const { p: P, n: L } = ed.Point.CURVE();

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
function bytesLE(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}
const numberLE = (bytes: Uint8Array): bigint =>
  bytes.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);

/** The library in strict mode, and no R of small order (what jws.ts used to check first). */
function reference(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  let R: InstanceType<typeof ed.Point>;
  try {
    R = ed.Point.fromBytes(signature.subarray(0, 32), false);
  } catch {
    return false;
  }
  if (R.isSmallOrder()) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function referenceClass(bytes: Uint8Array): string {
  try {
    return ed.Point.fromBytes(bytes, false).isSmallOrder() ? 'small_order' : 'ok';
  } catch {
    return 'invalid';
  }
}

/** A key pair and a signer that may put any R (with its own nonce) and S in a signature. */
function keyPair(seed: number) {
  const secret = new Uint8Array(32).fill(seed);
  const { scalar, pointBytes } = ed.utils.getExtendedPublicKey(secret);
  return {
    publicKey: pointBytes,
    scalar,
    sign: (message: Uint8Array) => ed.sign(message, secret),
    /** S = r + k * a for R = rB + T: valid under the cofactored equation whatever T is. */
    signWith(
      r: bigint,
      torsion: InstanceType<typeof ed.Point>,
      message: Uint8Array,
      key = pointBytes,
    ) {
      const R = r === 0n ? torsion : ed.Point.BASE.multiply(r).add(torsion);
      const rBytes = R.toBytes();
      const k =
        numberLE(createHash('sha512').update(rBytes).update(key).update(message).digest()) % L;
      const signature = new Uint8Array(64);
      signature.set(rBytes, 0);
      signature.set(bytesLE((r + k * scalar) % L), 32);
      return signature;
    },
  };
}

const torsionPoints = SMALL_ORDER_POINTS.map((p) => ed.Point.fromBytes(hex(p), false));
/** Encodings with y >= p (y = p .. p + 18), with and without the sign bit, and x = 0 signed. */
const nonCanonical = [
  ...NON_CANONICAL_POINTS,
  ...Array.from({ length: 19 }, (_, i) => bytesLE(P + BigInt(i))).flatMap((b) => {
    const signed = Uint8Array.from(b);
    signed[31]! |= 0x80;
    return [toHex(b), toHex(signed)];
  }),
];

function compare(label: string, signature: Uint8Array, message: Uint8Array, key: Uint8Array) {
  const want = reference(signature, message, key);
  assert.is(agent.verify(signature, message, key), want, `${label}: the library says ${want}`);
  return want;
}

test('the small-order list is the eight points of order 1, 2, 4 and 8, as the library sees them', () => {
  assert.is(new Set(SMALL_ORDER_POINTS).size, 8);
  for (const point of SMALL_ORDER_POINTS) {
    assert.is(referenceClass(hex(point)), 'small_order', point);
    assert.is(agent.classify(hex(point)), 'small_order', point);
  }
});

test('every non-canonical encoding is refused as a point, like the library refuses it', () => {
  for (const point of nonCanonical) {
    assert.is(agent.classify(hex(point)), 'invalid', point);
    assert.is(referenceClass(hex(point)), 'invalid', point);
  }
});

test('points classify as the library classifies them: keys, with torsion, random bytes', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const A = ed.Point.fromBytes(keyPair(seed).publicKey, false);
    for (const t of [ed.Point.ZERO, ...torsionPoints]) {
      const bytes = A.add(t).toBytes();
      assert.is(agent.classify(bytes), referenceClass(bytes), toHex(bytes));
    }
    const random = new Uint8Array(createHash('sha256').update(`point ${seed}`).digest());
    assert.is(agent.classify(random), referenceClass(random), toHex(random));
  }
});

test('correct signatures verify, tampered ones do not, as with the library', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const pair = keyPair(seed);
    const message = new Uint8Array(Buffer.from(`message ${seed} `.repeat(seed * 7)));
    const signature = pair.sign(message);
    assert.ok(compare(`seed ${seed}`, signature, message, pair.publicKey));
    for (const at of [0, 31, 32, 63]) {
      const bad = Uint8Array.from(signature);
      bad[at]! ^= 1 << (seed % 8);
      compare(`seed ${seed}, byte ${at} flipped`, bad, message, pair.publicKey);
    }
    const other = Uint8Array.from(message);
    other[0]! ^= 1;
    assert.not.ok(compare(`seed ${seed}, other message`, signature, other, pair.publicKey));
    assert.not.ok(
      compare(`seed ${seed}, other key`, signature, message, keyPair(seed + 50).publicKey),
    );
  }
});

test('S = L, S + L and S of 2^256 - 1 are refused; S = 0 does not verify; R = -B does', () => {
  const pair = keyPair(3);
  const message = new Uint8Array([1, 2, 3]);
  const signature = pair.sign(message);
  const s = numberLE(signature.subarray(32));
  for (const big of [L, s + L, 2n ** 256n - 1n, L + 1n]) {
    const bad = Uint8Array.from(signature);
    bad.set(bytesLE(big), 32);
    assert.not.ok(compare(`S = ${big}`, bad, message, pair.publicKey));
  }
  const zero = Uint8Array.from(signature);
  zero.set(bytesLE(0n), 32);
  assert.not.ok(compare('S = 0', zero, message, pair.publicKey));
  // The largest nonce: R = [L - 1]B = -B, S still below L.
  assert.ok(
    compare('R = -B', pair.signWith(L - 1n, ed.Point.ZERO, message), message, pair.publicKey),
  );
});

test('R of every small order is refused, even where the cofactored equation holds', () => {
  const pair = keyPair(5);
  const message = new Uint8Array(Buffer.from('small-order R'));
  for (const t of torsionPoints) {
    const signature = pair.signWith(0n, t, message);
    assert.not.ok(compare(`R = ${toHex(t.toBytes())}`, signature, message, pair.publicKey));
  }
});

test('R or A with a torsion part: the cofactored equation decides, for both alike', () => {
  const pair = keyPair(7);
  const message = new Uint8Array(Buffer.from('torsion'));
  for (const t of torsionPoints) {
    assert.ok(compare('R + T', pair.signWith(12345n, t, message), message, pair.publicKey));
    const key = ed.Point.fromBytes(pair.publicKey, false).add(t).toBytes();
    compare('A + T', pair.signWith(777n, ed.Point.ZERO, message, key), message, key);
  }
});

test('small-order and non-canonical keys verify nothing, not even the forged R = B, S = 1', () => {
  const message = new Uint8Array(Buffer.from('forged'));
  const forged = new Uint8Array(64);
  forged.set(ed.Point.BASE.toBytes(), 0);
  forged.set(bytesLE(1n), 32);
  for (const key of [...SMALL_ORDER_POINTS, ...nonCanonical])
    assert.not.ok(compare(`key ${key}`, forged, message, hex(key)));
});

test('non-canonical R is refused (y >= p, x = 0 with the sign bit)', () => {
  const pair = keyPair(9);
  const message = new Uint8Array(Buffer.from('non-canonical R'));
  const good = pair.sign(message);
  for (const r of nonCanonical) {
    const signature = Uint8Array.from(good);
    signature.set(hex(r), 0);
    assert.not.ok(compare(`R = ${r}`, signature, message, pair.publicKey));
  }
});

test.run();
