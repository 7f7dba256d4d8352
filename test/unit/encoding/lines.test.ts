import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lineSplitter } from '../../../agent/encoding/lines.ts';
import { encodeUtf8 } from '../../../agent/encoding/utf8.ts';

function split(chunks: (string | Uint8Array)[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = lineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? encodeUtf8(chunk) : chunk);
  return lines;
}

test('whole lines, several in a chunk, and a line split over chunks', () => {
  assert.equal(split(['a\nb\n']), ['a', 'b']);
  assert.equal(split(['{ "x": ', '{"a":1} }\n{ "y"', ': {} }\n']), [
    '{ "x": {"a":1} }',
    '{ "y": {} }',
  ]);
  assert.equal(split(['no newline yet']), []);
  assert.equal(split(['\n\n']), ['', '']);
});

test('a UTF-8 sequence split between chunks decodes whole', () => {
  const bytes = encodeUtf8('wan: 接続\n');
  for (let cut = 1; cut < bytes.length; cut++)
    assert.equal(split([bytes.slice(0, cut), bytes.slice(cut)]), ['wan: 接続'], `cut ${cut}`);
});

test('every byte alone', () => {
  const bytes = encodeUtf8('{ "network.interface": {"action":"ifup","interface":"wan"} }\n');
  assert.equal(split([...bytes].map((b) => Uint8Array.of(b))), [
    '{ "network.interface": {"action":"ifup","interface":"wan"} }',
  ]);
});

test('an overlong line is dropped whole; the next one comes through', () => {
  assert.equal(split(['x'.repeat(10), 'y'.repeat(10), 'z\nok\n'], 16), ['ok']);
  assert.equal(split(['x'.repeat(20), '\nok\n'], 16), ['ok']);
  assert.equal(split(['short\n', 'x'.repeat(17) + '\n', 'ok\n'], 16), ['short', 'ok']);
});

test.run();
