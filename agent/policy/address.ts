// IPv4/IPv6 addresses and prefixes for the relay allow-list. Strict: anything that is not exactly
// an address, optionally with a prefix length whose host bits are zero, is rejected.
import { InputError, quoteValue } from '../input-error.ts';

export type Family = 'ipv4' | 'ipv6';

export interface Prefix {
  readonly family: Family;
  /** Network address, canonical text (dotted quad; RFC 5952 for IPv6). */
  readonly address: string;
  readonly length: number;
}

function parseIpv4Bytes(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    // No leading zeros: "010" means 8 to some parsers and 10 to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6Bytes(text: string): number[] | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const words: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4Bytes(piece);
        if (!v4) return null;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) words.push(parseInt(piece, 16));
      else return null;
    }
    return words;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  if (halves.length === 1 && head.length !== 8) return null;
  if (halves.length === 2 && head.length + tail.length > 7) return null;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function formatIpv6(bytes: readonly number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run of two or more zero words, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function formatBytes(family: Family, bytes: readonly number[]): string {
  return family === 'ipv4' ? bytes.join('.') : formatIpv6(bytes);
}

function parseAddressBytes(text: string): { family: Family; bytes: number[] } | null {
  const v4 = parseIpv4Bytes(text);
  if (v4) return { family: 'ipv4', bytes: v4 };
  const v6 = text.includes(':') ? parseIpv6Bytes(text) : null;
  return v6 ? { family: 'ipv6', bytes: v6 } : null;
}

/** Parses "203.0.113.25", "198.51.100.0/24", "2001:db8::25" or "2001:db8::/32". */
export function parsePrefix(text: unknown): Prefix {
  const invalid = (why: string): InputError =>
    new InputError('invalid_address', `invalid address ${quoteValue(text)}: ${why}`);
  if (typeof text !== 'string' || text.length === 0 || text.length > 64)
    throw invalid('expected an IPv4 or IPv6 address or CIDR prefix');
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const parsed = parseAddressBytes(addressText);
  if (!parsed) throw invalid('expected an IPv4 or IPv6 address or CIDR prefix');
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses: IPv4 traffic never
  // carries them, and the firewall tools print them in dotted forms of their own.
  if (parsed.family === 'ipv6' && embedsIpv4(parsed.bytes))
    throw invalid('an IPv4 address embedded in IPv6; write it in IPv4 form');
  const maxLength = parsed.bytes.length * 8;
  let length = maxLength;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText) || Number(lengthText) > maxLength)
      throw invalid(`prefix length must be 0..${maxLength}`);
    length = Number(lengthText);
  }
  for (let bit = length; bit < maxLength; bit++) {
    if ((parsed.bytes[bit >> 3]! >> (7 - (bit & 7))) & 1)
      throw invalid(`host bits are set (the network is ${networkOf(parsed, length)})`);
  }
  return { family: parsed.family, address: formatBytes(parsed.family, parsed.bytes), length };
}

function networkOf(parsed: { family: Family; bytes: number[] }, length: number): string {
  const bytes = parsed.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
  return `${formatBytes(parsed.family, bytes)}/${length}`;
}

function embedsIpv4(bytes: readonly number[]): boolean {
  if (bytes.slice(0, 10).some((b) => b !== 0)) return false;
  const marker = (bytes[10]! << 8) | bytes[11]!;
  const v4 = bytes.slice(12);
  if (marker === 0xffff) return true;
  if (marker !== 0) return false;
  // ::a.b.c.d, but not :: and ::1
  return v4[0]! + v4[1]! + v4[2]! > 0 || v4[3]! > 1;
}

/** Canonical text: a bare address for a single host, "address/length" otherwise. */
export function formatPrefix(prefix: Prefix): string {
  const hostLength = prefix.family === 'ipv4' ? 32 : 128;
  return prefix.length === hostLength ? prefix.address : `${prefix.address}/${prefix.length}`;
}

/** Canonical text of an address that came from a program's output, or null if it is none. */
export function canonicalAddress(text: string): string | null {
  const parsed = parseAddressBytes(text);
  return parsed ? formatBytes(parsed.family, parsed.bytes) : null;
}

function bytesOf(prefix: Prefix): number[] {
  const parsed = parseAddressBytes(prefix.address);
  if (!parsed) throw new Error(`not canonical: ${prefix.address}`);
  return parsed.bytes;
}

/** True when `outer` contains every address of `inner`. */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  const a = bytesOf(outer);
  const b = bytesOf(inner);
  for (let bit = 0; bit < outer.length; bit++) {
    const mask = 1 << (7 - (bit & 7));
    if ((a[bit >> 3]! & mask) !== (b[bit >> 3]! & mask)) return false;
  }
  return true;
}

/** True when the address (canonical or not) lies inside one of the prefixes. */
export function addressInPrefixes(address: string, prefixes: readonly Prefix[]): boolean {
  const parsed = parseAddressBytes(address);
  if (!parsed) return false;
  const host: Prefix = {
    family: parsed.family,
    address: formatBytes(parsed.family, parsed.bytes),
    length: parsed.bytes.length * 8,
  };
  return prefixes.some((p) => prefixContains(p, host));
}

/**
 * Sorted, without duplicates and without prefixes that another entry already covers. n log n
 * (it runs on every desired state, with up to 256 entries): sorted by family, then address,
 * then length, a prefix is covered by an earlier one exactly when the last one kept covers it,
 * since two prefixes are either nested or disjoint and a covering one sorts first.
 */
export function minimalPrefixes(prefixes: readonly Prefix[]): Prefix[] {
  const keyed = prefixes.map((prefix) => ({ prefix, bytes: bytesOf(prefix) }));
  keyed.sort(
    (x, y) =>
      x.prefix.family.localeCompare(y.prefix.family) ||
      compareBytes(x.bytes, y.bytes) ||
      x.prefix.length - y.prefix.length,
  );
  const kept: { prefix: Prefix; bytes: number[] }[] = [];
  for (const entry of keyed) {
    const last = kept[kept.length - 1];
    if (last && last.prefix.family === entry.prefix.family && covers(last, entry)) continue;
    kept.push(entry);
  }
  return kept.map((k) => k.prefix);
}

function covers(
  outer: { prefix: Prefix; bytes: readonly number[] },
  inner: { prefix: Prefix; bytes: readonly number[] },
): boolean {
  if (outer.prefix.length > inner.prefix.length) return false;
  for (let bit = 0; bit < outer.prefix.length; bit++) {
    const mask = 1 << (7 - (bit & 7));
    if ((outer.bytes[bit >> 3]! & mask) !== (inner.bytes[bit >> 3]! & mask)) return false;
  }
  return true;
}

function compareBytes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
