// Splits a byte stream into lines, wherever the chunks happen to break (inside a line, inside a
// UTF-8 sequence). A line longer than the limit is dropped whole rather than kept in memory.
import { concatBytes, decodeUtf8 } from './utf8.ts';

export interface LineSplitter {
  push(chunk: Uint8Array): void;
}

export function lineSplitter(onLine: (line: string) => void, maxBytes = 65536): LineSplitter {
  let parts: Uint8Array[] = [];
  let size = 0;
  let overlong = false;
  return {
    push(chunk) {
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== 10) continue;
        parts.push(chunk.subarray(start, i));
        const line =
          overlong || size + i - start > maxBytes ? null : decodeUtf8(concatBytes(parts));
        parts = [];
        size = 0;
        overlong = false;
        start = i + 1;
        if (line !== null) onLine(line);
      }
      if (start === chunk.length || overlong) return;
      size += chunk.length - start;
      if (size > maxBytes) {
        parts = [];
        overlong = true;
      } else parts.push(chunk.slice(start));
    },
  };
}
