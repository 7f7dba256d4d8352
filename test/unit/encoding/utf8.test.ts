import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  concatBytes,
  decodeUtf8,
  decodeUtf8ByHand,
  encodeUtf8,
  encodeUtf8ByHand,
} from '../../../agent/encoding/utf8.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');
const REPLACEMENT = '\uFFFD';

const samples = [
  '',
  'plain ASCII: op25b apply --config /etc/config/op25b\n',
  '\u0000\u007f',
  'caf\u00e9 \u00df \u07ff', // 2-byte sequences, up to U+07FF
  '\u0800 \u20ac \u65e5\u672c \uffff', // 3-byte sequences
  '\u{10000} \u{1F600} \u{1F1EF}\u{1F1F5} \u{10FFFF}', // 4-byte sequences (surrogate pairs)
  'mixed: a\u00e9\u20ac\u{1F600}z',
];

for (const text of samples) {
  test(`round trip, and the same bytes as TextEncoder: ${JSON.stringify(text)}`, () => {
    const encoded = encodeUtf8(text);
    assert.is(hex(encoded), hex(new TextEncoder().encode(text)));
    assert.is(decodeUtf8(encoded), text);
  });
}

test('known encodings at every sequence length', () => {
  assert.is(hex(encodeUtf8('A')), '41');
  assert.is(hex(encodeUtf8('\u00e9')), 'c3a9');
  assert.is(hex(encodeUtf8('\u20ac')), 'e282ac');
  assert.is(hex(encodeUtf8('\u{1F600}')), 'f09f9880');
  assert.is(hex(encodeUtf8('\u{10FFFF}')), 'f48fbfbf');
  assert.is(decodeUtf8(bytes(0xf0, 0x9f, 0x98, 0x80)), '\u{1F600}');
  assert.is(decodeUtf8(bytes(0xf0, 0x9f, 0x98, 0x80)).length, 2);
});

test('lone surrogates encode as U+FFFD, like TextEncoder', () => {
  for (const text of ['\ud800', 'a\udc00b', '\udbff\ud800', '\ud83d'])
    assert.is(hex(encodeUtf8(text)), hex(new TextEncoder().encode(text)), JSON.stringify(text));
  assert.is(decodeUtf8(encodeUtf8('x\ud800y')), `x${REPLACEMENT}y`);
});

test('long text (more than one internal chunk) round-trips', () => {
  const text = 'a\u00e9\u20ac\u{1F600}'.repeat(5000) + 'x'.repeat(10000);
  assert.is(decodeUtf8(encodeUtf8(text)), text);
});

const invalid: [string, number[], string][] = [
  ['a lone continuation byte', [0x41, 0x80, 0x42], `A${REPLACEMENT}B`],
  ['0xff', [0xff], REPLACEMENT],
  ['0xfe 0xfe', [0xfe, 0xfe], REPLACEMENT + REPLACEMENT],
  ['a truncated 2-byte sequence at the end', [0x41, 0xc3], `A${REPLACEMENT}`],
  ['a truncated 3-byte sequence before ASCII', [0xe2, 0x82, 0x41], `${REPLACEMENT}A`],
  ['a truncated 4-byte sequence at the end', [0xf0, 0x9f, 0x98], REPLACEMENT],
  ['a lead byte followed by a lead byte', [0xc3, 0xc3, 0xa9], `${REPLACEMENT}\u00e9`],
  ['overlong 2-byte (C0 80)', [0xc0, 0x80], REPLACEMENT + REPLACEMENT],
  ['a lead byte above F4', [0xf5, 0x41], `${REPLACEMENT}A`],
];
for (const [what, input, expected] of invalid) {
  test(`invalid bytes decode to U+FFFD, never throw: ${what}`, () => {
    const data = Uint8Array.from(input);
    assert.is(decodeUtf8(data), expected);
    assert.is(decodeUtf8(data), new TextDecoder().decode(data));
  });
}

test('overlong forms, surrogates and code points above U+10FFFF never decode to a character', () => {
  for (const input of [
    [0xe0, 0x80, 0x80], // overlong U+0000
    [0xe0, 0x9f, 0xbf], // overlong U+07FF
    [0xf0, 0x8f, 0xbf, 0xbf], // overlong U+FFFF
    [0xed, 0xa0, 0x80], // U+D800
    [0xed, 0xbf, 0xbf], // U+DFFF
    [0xf4, 0x90, 0x80, 0x80], // U+110000
  ]) {
    const decoded = decodeUtf8(Uint8Array.from([0x41, ...input, 0x42]));
    assert.match(decoded, /^A\uFFFD+B$/, hex(Uint8Array.from(input)));
  }
});

test('any byte soup: never throws, and matches TextDecoder up to runs of U+FFFD', () => {
  // TextDecoder emits one U+FFFD per byte of an overlong or surrogate sequence, decodeUtf8 may
  // emit one for the whole sequence; everything else must be identical.
  const collapse = (s: string) => s.replace(/\uFFFD+/g, REPLACEMENT);
  const decoder = new TextDecoder();
  const tails = [0x41, 0x80, 0x9f, 0xa0, 0xbf, 0xc2, 0xe0, 0xf0];
  let checked = 0;
  for (let a = 0x80; a < 0x100; a++)
    for (let b = 0; b < 0x100; b += 3)
      for (const c of tails) {
        const data = bytes(0x20, a, b, c, 0x80, 0x20);
        const got = collapse(decodeUtf8(data));
        if (got !== collapse(decoder.decode(data)))
          assert.is(got, collapse(decoder.decode(data)), hex(data));
        checked++;
      }
  assert.is(checked, 128 * 86 * 8);
});

// decodeUtf8/encodeUtf8 take the engine's codec first and the loops only for what it refuses:
// both ways must give the same result for every input (and so must they under QuickJS, whose
// decodeURIComponent refuses overlong forms, surrogates and code points above U+10FFFF too).
test('the fast paths and the loops agree: byte soups, fatal or not, and lone surrogates', () => {
  const tails = [0x41, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4];
  for (let a = 0x00; a < 0x100; a += 1)
    for (const b of tails)
      for (const c of [0x80, 0x9f, 0xa0, 0xbf, 0x41]) {
        const data = bytes(0x41, a, b, c, 0x80);
        assert.is(decodeUtf8(data), decodeUtf8ByHand(data, false), hex(data));
        assert.is(decodeUtf8(data, true), decodeUtf8ByHand(data, true), hex(data));
      }
  for (const text of [...samples, 'a\ud800b', '\udc00', 'x\ud83d', '\ud83d\ude00\ud800'])
    assert.is(hex(encodeUtf8(text)), hex(encodeUtf8ByHand(text)), JSON.stringify(text));
});

test('concatBytes joins chunks in order', () => {
  assert.is(hex(concatBytes([bytes(1, 2), bytes(), bytes(3)])), '010203');
  assert.is(concatBytes([]).length, 0);
  const split = encodeUtf8('\u{1F600}');
  assert.is(decodeUtf8(concatBytes([split.subarray(0, 1), split.subarray(1)])), '\u{1F600}');
});

test.run();
