import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JsonSyntaxError, parseStrictJson } from '../../../agent/encoding/strict-json.ts';
import { ACCEPTED, REFUSED } from './strict-json-cases.ts';

for (const [text, value] of ACCEPTED) {
  test(`accepts ${JSON.stringify(text).slice(0, 60)}`, () => {
    assert.equal(parseStrictJson(text), value);
    // What JSON allows, this parser reads the same way as Node's JSON.parse.
    assert.equal(parseStrictJson(text), JSON.parse(text));
  });
}

for (const text of REFUSED) {
  test(`refuses ${JSON.stringify(text).slice(0, 60)}`, () => {
    assert.throws(
      () => parseStrictJson(text),
      (e: unknown) => e instanceof JsonSyntaxError,
    );
  });
}

test('a "__proto__" key is a plain property, never the prototype', () => {
  const value = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(value), Object.prototype);
  assert.is((value as { polluted?: unknown }).polluted, undefined);
  assert.equal(Object.keys(value), ['__proto__']);
});

test('the error says where the text went wrong', () => {
  const error = (() => {
    try {
      parseStrictJson('{"version":3.,"enabled":true}');
    } catch (e) {
      return e as JsonSyntaxError;
    }
    return null;
  })();
  assert.ok(error instanceof JsonSyntaxError);
  assert.is(error.offset, 12); // the "." that no digit follows
  assert.match(error.message, /invalid number at offset 12/);
});

test('the depth limit is a parameter', () => {
  assert.equal(parseStrictJson('[[1]]', 2), [[1]]);
  assert.throws(() => parseStrictJson('[[[1]]]', 2), /nested deeper than 2/);
});

test('a 16 KiB message with long strings parses in one pass', () => {
  const text = JSON.stringify({ id: 'x', op: 'report', pad: 'a'.repeat(16_000) });
  assert.equal(parseStrictJson(text), JSON.parse(text));
});

test.run();
