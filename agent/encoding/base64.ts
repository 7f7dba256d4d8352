// base64url decoding by table: bellard's QuickJS builds have no atob, no Buffer.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

/** Decodes unpadded base64url; null on any character outside the alphabet or a bad length. */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const c of text) {
    const v = VALUES.get(c);
    if (v === undefined) return null;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, or two encodings would decode to the same bytes.
  if ((value & ((1 << bits) - 1)) !== 0) return null;
  return out.subarray(0, index);
}

/** Standard base64 (with padding), as in PEM bodies. */
export function decodeBase64(text: string): Uint8Array | null {
  const body = text.replace(/=+$/, '');
  if (/[^A-Za-z0-9+/]/.test(body)) return null;
  return decodeBase64Url(body.replace(/\+/g, '-').replace(/\//g, '_'));
}
