// UTF-8 for runtimes without TextEncoder/TextDecoder (QuickJS). Invalid sequences decode to
// U+FFFD, as TextDecoder does, so a program's odd output can never throw.

// The fast paths use the engine's own UTF-8 codec (encodeURIComponent and decodeURIComponent,
// which refuse exactly what is not valid UTF-8): a loop over every character in JavaScript is
// the slowest thing QuickJS does, and every program's output passes through here. What they
// refuse (a lone surrogate, an invalid byte sequence) takes the loops below.

export function encodeUtf8(text: string): Uint8Array {
  let binary: string | null = null;
  try {
    binary = unescape(encodeURIComponent(text)); // one character per UTF-8 byte
  } catch {
    // a lone surrogate: encoded below
  }
  if (binary !== null) {
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  return encodeUtf8ByHand(text);
}

/** The same as encodeUtf8, a character at a time (lone surrogates become U+FFFD). */
export function encodeUtf8ByHand(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

// Code units are collected in a bounded chunk and turned into text a chunk at a time:
// String.fromCharCode.apply with a huge array throws in QuickJS ("too many arguments").
const CHUNK = 1024;

/** Decodes UTF-8; invalid sequences become U+FFFD, or make it return null when `fatal`. */
export function decodeUtf8(bytes: Uint8Array): string;
export function decodeUtf8(bytes: Uint8Array, fatal: true): string | null;
export function decodeUtf8(bytes: Uint8Array, fatal = false): string | null {
  let latin1 = '';
  for (let i = 0; i < bytes.length; i += CHUNK)
    latin1 += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  // ASCII, what tools print, is its own decoding.
  if (!/[\x80-\xff]/.test(latin1)) return latin1;
  try {
    return decodeURIComponent(escape(latin1));
  } catch {
    // not valid UTF-8: decoded by hand, with U+FFFD for what is broken (or null when fatal)
  }
  return decodeUtf8ByHand(bytes, fatal);
}

/** The same as decodeUtf8, a byte at a time. */
export function decodeUtf8ByHand(bytes: Uint8Array, fatal: boolean): string | null {
  let out = '';
  const chunk: number[] = [];
  const push = (unit: number): void => {
    chunk.push(unit);
    if (chunk.length >= CHUNK) {
      out += String.fromCharCode.apply(null, chunk);
      chunk.length = 0;
    }
  };
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    let need = 0;
    let c = 0;
    let min = 0;
    if (b < 0x80) {
      push(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, c, min] = [1, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, c, min] = [2, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, c, min] = [3, b & 0x07, 0x10000];
    else {
      if (fatal) return null;
      push(0xfffd);
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need; j++) {
      const next = bytes[i + j];
      if (next === undefined || (next & 0xc0) !== 0x80) break;
      c = (c << 6) | (next & 0x3f);
    }
    if (j <= need || c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
      if (fatal) return null;
      push(0xfffd);
      i += j; // skip the broken sequence's valid prefix
      continue;
    }
    i += need + 1;
    if (c >= 0x10000) {
      c -= 0x10000;
      push(0xd800 + (c >> 10));
      push(0xdc00 + (c & 0x3ff));
    } else push(c);
  }
  return out + String.fromCharCode.apply(null, chunk);
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
