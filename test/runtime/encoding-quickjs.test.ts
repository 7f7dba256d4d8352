// The strict JSON parser and the UTF-8 decoder under dist/qjs: the same answers as under Node,
// also for the inputs QuickJS 2021-03-27's own JSON.parse gets wrong, and no "too many
// arguments" on large invalid input.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleForQjs, QJS } from '../qjs/bundle.ts';
import { ACCEPTED, REFUSED } from '../unit/encoding/strict-json-cases.ts';

interface Found {
  accepted: { value?: unknown; error?: string }[];
  refused: { value?: unknown; error?: string }[];
  ff: unknown;
  ffFatal: unknown;
  mixed: unknown;
}

let found: Found | null = null;

test.before(async () => {
  const bundle = await bundleForQjs('test/qjs/encoding-main.ts');
  const { stdout } = await promisify(execFile)(QJS, [bundle], { timeout: 20_000 });
  found = JSON.parse(stdout) as Found;
});

test('under qjs, the strict parser accepts what JSON allows, with the same values', () => {
  ACCEPTED.forEach(([text, value], i) =>
    assert.equal(found!.accepted[i], { value }, `case ${JSON.stringify(text).slice(0, 60)}`),
  );
});

test('under qjs, the strict parser refuses every non-JSON text', () => {
  REFUSED.forEach((text, i) =>
    assert.equal(
      found!.refused[i],
      { error: 'JsonSyntaxError' },
      `case ${JSON.stringify(text).slice(0, 60)}`,
    ),
  );
});

test('under qjs, 70,000 bytes of 0xff decode to 70,000 U+FFFD (and null when fatal)', () => {
  assert.equal(found!.ff, { length: 70_000, replacements: 70_000 });
  assert.is(found!.ffFatal, null);
  assert.equal(found!.mixed, { length: 200_000, replacements: 66_667 });
});

test.run();
