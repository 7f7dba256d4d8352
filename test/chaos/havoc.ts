// Byte-level havoc on valid text: a few flips, insertions, deletions or duplications. Pure.
import type { Random } from './random.ts';

/** Flips, inserts, deletes or duplicates a few bytes of `source`. */
export function havoc(random: Random, source: Uint8Array): Uint8Array {
  const bytes = [...source];
  const edits = 1 + random.int(4);
  for (let e = 0; e < edits; e++) {
    const at = random.int(bytes.length + 1);
    switch (random.int(5)) {
      case 0:
        if (bytes.length) {
          const i = Math.min(at, bytes.length - 1);
          bytes[i] = bytes[i]! ^ (1 << random.int(8));
        }
        break;
      case 1:
        bytes.splice(
          at,
          0,
          random.pick([0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x5c, 0x00, 0xff, 0xc3]),
        );
        break;
      case 2:
        bytes.splice(at, 1 + random.int(8));
        break;
      case 3:
        bytes.splice(at, 0, ...bytes.slice(random.int(bytes.length + 1)).slice(0, 16));
        break;
      default:
        bytes.splice(at, 0, ...random.bytes(1 + random.int(6)));
    }
  }
  return Uint8Array.from(bytes);
}
