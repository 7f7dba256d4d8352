// Strict Ed25519 verification (RFC 8032 5.1.7 with libsodium's checks) on @noble/ed25519's
// point arithmetic, with fixed-base tables for both scalar multiplications. Plain JavaScript
// beside packages.js, for the same reason (packages.d.ts describes what it exports).
//
// Why not the library's verify: under QuickJS every BigInt operation costs about a microsecond,
// and its [k]A is a double-and-add over 253 bits (~80% of a verification, ~20 ms on the bench
// machine). The key is the same for every verification, so [k]A and [S]B are read from tables of
// multiples of A and B instead: at most 64 point additions each, no doublings. A key's table is
// built once (~500 point operations) when it is first used.
//
// Accepts exactly what `ed.verify(sig, msg, key, { zip215: false })` accepts, less signatures
// whose R has small order: A and R canonical (y < p, no x = 0 with the sign bit), A not of small
// order, R not of small order, S < L, and [8]R + [8][k]A = [8][S]B with k = SHA-512(R || A || M)
// mod L over the bytes as given.

/** Signed radix-16 digits of a 32-byte little-endian scalar below 2^253: 64 digits in [-8, 8). */
function digitsOf(bytes) {
  const digits = new Int8Array(64);
  let carry = 0;
  for (let i = 0; i < 64; i++) {
    let d = ((bytes[i >> 1] >> ((i & 1) * 4)) & 15) + carry;
    carry = d >= 8 ? 1 : 0;
    digits[i] = d - 16 * carry;
  }
  return digits; // the top digit is at most 2 (scalar < 2^253): no carry is left over
}

// Field arithmetic mod p on BigInt, reduced only after products (sums and differences of reduced
// values stay small; representatives may be negative, which the final check allows for).
// Points in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z, curve a = -1.

/** A point prepared for addition (Y+X, Y-X, 2dT, 2Z), as ref10's ge_cached. */
function cached(P, d2, p) {
  return { ypx: (p.Y + p.X) % P, ymx: (p.Y - p.X) % P, t2d: (p.T * d2) % P, z2: (2n * p.Z) % P };
}

/** p + q, or p - q when `minus` (add-2008-hwcd-3 with a = -1: 8 products). */
function addCached(P, p, q, minus) {
  const a = ((p.Y - p.X) * (minus ? q.ypx : q.ymx)) % P;
  const b = ((p.Y + p.X) * (minus ? q.ymx : q.ypx)) % P;
  const c = minus ? -((p.T * q.t2d) % P) : (p.T * q.t2d) % P;
  const d = (p.Z * q.z2) % P;
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return { X: (e * f) % P, Y: (g * h) % P, Z: (f * g) % P, T: (e * h) % P };
}

/** 2p (dbl-2008-hwcd with a = -1). */
function double(P, p) {
  const a = (p.X * p.X) % P;
  const b = (p.Y * p.Y) % P;
  const c = (2n * p.Z * p.Z) % P;
  const s = p.X + p.Y;
  const e = (s * s - a - b) % P;
  const g = b - a;
  const f = g - c;
  const h = -a - b;
  return { X: (e * f) % P, Y: (g * h) % P, Z: (f * g) % P, T: (e * h) % P };
}

/** table[i][j] = (j + 1) * 16^i * point, cached, for i < 64, j < 8. */
function buildTable(P, d2, point) {
  const table = [];
  let base = point;
  for (let i = 0; i < 64; i++) {
    const step = cached(P, d2, base);
    const row = [base];
    for (let j = 1; j < 8; j++) row.push(addCached(P, row[j - 1], step, false));
    table.push(row.map((p) => cached(P, d2, p)));
    base = double(P, row[7]);
  }
  return table;
}

/** acc + [n]Q (or - [n]Q), n given by its digits, Q by its table. */
function addMultiple(P, acc, table, digits, minus) {
  for (let i = 0; i < 64; i++) {
    const digit = digits[i];
    if (digit !== 0) acc = addCached(P, acc, table[i][Math.abs(digit) - 1], minus !== digit < 0);
  }
  return acc;
}

/** The canonical encodings of the 8 points of small order (libsodium's blocklist, less the
 * non-canonical entries, which decoding refuses anyway). */
const SMALL_ORDER = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
]);

const hexOf = (bytes) => Array.from(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');

function scalarBytes(n) {
  const hex = n.toString(16).padStart(64, '0');
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(62 - 2 * i, 64 - 2 * i), 16);
  return bytes;
}

const numberLE = (bytes) => BigInt(`0x${hexOf(Uint8Array.from(bytes).reverse()) || '0'}`);

/** Keys whose tables are kept: the verify_key_file's (at most 8), with room for a reload. */
const MAX_CACHED_KEYS = 16;

export function createEd25519Verifier(ed, sha512) {
  const { Point } = ed;
  const { p: P, n: L, d } = Point.CURVE();
  const d2 = (2n * d) % P;
  let baseTable = null;
  const keys = new Map();

  /** The point, or null when the encoding is not canonical or not on the curve. */
  const decode = (bytes) => {
    try {
      return Point.fromBytes(bytes, false);
    } catch {
      return null;
    }
  };

  /** The key's table, or null when the key is not canonical or has small order. */
  const keyTable = (publicKey) => {
    const id = hexOf(publicKey);
    let table = keys.get(id);
    if (table === undefined) {
      const A = decode(publicKey);
      table = A && !SMALL_ORDER.has(id) ? buildTable(P, d2, A) : null;
      if (keys.size >= MAX_CACHED_KEYS) keys.clear();
      keys.set(id, table);
    }
    return table;
  };

  function verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    const r = signature.subarray(0, 32);
    const sBytes = signature.subarray(32, 64);
    if (numberLE(sBytes) >= L) return false;
    const table = keyTable(publicKey);
    if (!table) return false;
    const R = decode(r);
    if (!R || SMALL_ORDER.has(hexOf(r))) return false;
    const input = new Uint8Array(64 + message.length);
    input.set(r, 0);
    input.set(publicKey, 32);
    input.set(message, 64);
    const k = numberLE(sha512(input)) % L;
    baseTable ??= buildTable(P, d2, Point.BASE);
    // [8](R + [k]A - [S]B) = 0, the cofactored equation of RFC 8032 (and of the library).
    let acc = { X: R.X, Y: R.Y, Z: R.Z, T: R.T };
    acc = addMultiple(P, acc, table, digitsOf(scalarBytes(k)), false);
    acc = addMultiple(P, acc, baseTable, digitsOf(sBytes), true);
    for (let i = 0; i < 3; i++) acc = double(P, acc);
    return acc.X % P === 0n && (acc.Y - acc.Z) % P === 0n;
  }

  /** 'invalid' (not a canonical encoding of a curve point), 'small_order' or 'ok'. */
  function classify(bytes) {
    if (!decode(bytes)) return 'invalid';
    return SMALL_ORDER.has(hexOf(bytes)) ? 'small_order' : 'ok';
  }

  return { verify, classify };
}
