// Runs the strict JSON cases and large UTF-8 decodes under dist/qjs and prints what it found as
// one JSON document, for test/runtime/encoding-quickjs.test.ts to compare with Node's answers.
import * as std from 'std';
import { parseStrictJson } from '../../agent/encoding/strict-json.ts';
import { decodeUtf8 } from '../../agent/encoding/utf8.ts';
import { ACCEPTED, REFUSED } from '../unit/encoding/strict-json-cases.ts';

const outcome = (text: string): unknown => {
  try {
    return { value: parseStrictJson(text) };
  } catch (error) {
    return { error: error instanceof Error ? error.name : String(error) };
  }
};

const decoded = (bytes: Uint8Array): unknown => {
  try {
    const text = decodeUtf8(bytes);
    return { length: text.length, replacements: text.split('\ufffd').length - 1 };
  } catch (error) {
    return { error: String(error) };
  }
};

const ff = new Uint8Array(70_000).fill(0xff);
const mixed = new Uint8Array(200_000);
for (let i = 0; i < mixed.length; i++) mixed[i] = i % 3 === 0 ? 0xff : 0x41;

std.out.puts(
  JSON.stringify({
    accepted: ACCEPTED.map(([text]) => outcome(text)),
    refused: REFUSED.map(outcome),
    ff: decoded(ff),
    ffFatal: decodeUtf8(ff, true),
    mixed: decoded(mixed),
  }),
);
