// The bundle under dist/qjs reads a config written with libuci's less common syntax (short
// keywords, ';', a value spanning lines, a '\' continuation, empty options) as what
// `uci export` makes of it: `print` renders the same rules for both spellings.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AGENT_BUNDLE, QJS } from '../qjs/bundle.ts';

const scratch = mkdtempSync(join(tmpdir(), 'op25b-uci-syntax-'));

function print(name: string, text: string): Promise<{ code: number; out: string }> {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return new Promise((resolve) => {
    execFile(QJS, [AGENT_BUNDLE, 'print', '--config', path], { timeout: 10_000 }, (e, out, err) =>
      resolve({ code: e ? Number(e.code) : 0, out: out + err }),
    );
  });
}

// What the real `uci export` printed for LOOSE (checked in a trial with uci built from source).
const EXPORTED = `package op25b

config policy 'policy'
	option enabled '1'
	option action 'reject'
	list port '25'
	list port '465'
	list allow '203.0.113.25'
	option backend 'nftables'
	list wan_device 'pppoe-wan'

config rule-set
	option note 'two
lines'

`;

const LOOSE = [
  "c policy 'policy' ; o enabled 1",
  '\to action re\\',
  'ject',
  "\tl port 25 ; l port '465'",
  "\toption port ''",
  '\toption allow',
  "\tlist allow '203.0.113.25'",
  '\toption backend nftables # fw4',
  '\tlist wan_device pppoe-wan',
  'config rule-set',
  "\toption note 'two",
  "lines'",
  '',
].join('\n');

test('print: the same rules from libuci-only syntax as from the uci export of it', async () => {
  const loose = await print('loose', LOOSE);
  const exported = await print('exported', EXPORTED);
  assert.is(exported.code, 0, exported.out);
  assert.ok(exported.out.includes('elements = { 203.0.113.25 }'), exported.out);
  assert.equal(loose, exported);
});

test('print: a section name reused with another type is refused with the line', async () => {
  const out = await print('clash', "config policy 'policy'\nconfig rule 'policy'\n");
  assert.is(out.code, 2);
  assert.ok(
    out.out.includes(
      'parse error (section of different type overwrites prior section with same name) at line 2',
    ),
    out.out,
  );
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
