// The uci stand-in against uci's formats as recorded in /work/shared/notes/platform-facts.md
// (show, export, 'uci: Entry not found' exit 1, parse errors) and libuci's behaviour.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from './run.ts';
import { createStandinDir, type StandinDir } from './standin-dir.ts';

let dir: StandinDir;
const uci = (args: string[], env = dir.env()) => run(['uci', ...args], env);

const CONFIG = `package op25b

config policy 'policy'
	option enabled '1'
	list port '25'
	list port '587'
	list allow '203.0.113.25'
	option note 'it'\\''s'

config rule
	option name 'a b'

config rule 'named'
	option x 'y'
`;

test.before.each(() => {
  dir = createStandinDir();
  dir.writeConfig('op25b', CONFIG);
});
test.after.each(() => dir.remove());

test('show: pkg.section=type, quoted values, lists on one line, unnamed as @type[n]', async () => {
  const out = await uci(['show', 'op25b']);
  assert.is(out.code, 0);
  assert.is(
    out.stdout,
    [
      'op25b.policy=policy',
      "op25b.policy.enabled='1'",
      "op25b.policy.port='25' '587'",
      "op25b.policy.allow='203.0.113.25'",
      "op25b.policy.note='it'\\''s'",
      'op25b.@rule[0]=rule',
      "op25b.@rule[0].name='a b'",
      'op25b.named=rule',
      "op25b.named.x='y'",
      '',
    ].join('\n'),
  );
  assert.is((await uci(['show', 'op25b.policy.port'])).stdout, "op25b.policy.port='25' '587'\n");
  assert.is(
    (await uci(['show', 'op25b.@rule[0]'])).stdout,
    "op25b.@rule[0]=rule\nop25b.@rule[0].name='a b'\n",
  );
  assert.match(
    (await uci(['-X', 'show', 'op25b.@rule[0]'])).stdout,
    /^op25b\.cfg[0-9a-f]{6}=rule\n/,
  );
});

test("export: package line, config type 'name', tab-indented option/list, single quotes", async () => {
  const out = await uci(['export', 'op25b']);
  assert.is(out.code, 0);
  assert.is(
    out.stdout,
    `package op25b

config policy 'policy'
	option enabled '1'
	list port '25'
	list port '587'
	list allow '203.0.113.25'
	option note 'it'\\''s'

config rule
	option name 'a b'

config rule 'named'
	option x 'y'

`,
  );
});

test("get: a value, a list space-separated, a section's type", async () => {
  assert.is((await uci(['get', 'op25b.policy.enabled'])).stdout, '1\n');
  assert.is((await uci(['get', 'op25b.policy.port'])).stdout, '25 587\n');
  assert.is((await uci(['get', 'op25b.policy'])).stdout, 'policy\n');
  assert.is((await uci(['get', 'op25b.@rule[-1].x'])).stdout, 'y\n');
  assert.is((await uci(['get', 'op25b.policy.note'])).stdout, "it's\n");
});

test('missing config, section or option: "uci: Entry not found", exit 1; -q keeps quiet', async () => {
  for (const args of [
    ['get', 'op25b.policy.nosuch'],
    ['get', 'op25b.nosuch'],
    ['get', 'nosuch.policy.enabled'],
    ['show', 'nosuch'],
    ['export', 'nosuch'],
    ['show', 'op25b.nosuch'],
    ['delete', 'op25b.policy.nosuch'],
  ]) {
    const out = await uci(args);
    assert.equal(
      [out.code, out.stdout, out.stderr],
      [1, '', 'uci: Entry not found\n'],
      args.join(' '),
    );
  }
  const quiet = await uci(['-q', 'get', 'op25b.policy.nosuch']);
  assert.equal([quiet.code, quiet.stderr], [1, '']);
});

test('a syntax error: "uci: Parse error (<why>) at line N, byte M", exit 1', async () => {
  dir.writeConfig('broken', "config policy 'policy'\n\toption enabled '1'\nbogus word\n");
  const out = await uci(['show', 'broken']);
  assert.equal(
    [out.code, out.stderr],
    [1, 'uci: Parse error (invalid command) at line 3, byte 0\n'],
  );
  dir.writeConfig('open', "config policy 'policy'\n\toption enabled '1\n");
  assert.match(
    (await uci(['get', 'open.policy.enabled'])).stderr,
    /^uci: Parse error \(EOF with unterminated '\) at line \d+, byte \d+\n$/,
  );
  dir.writeConfig('early', "option enabled '1'\n");
  assert.match(
    (await uci(['show', 'early'])).stderr,
    /option\/list command found before the first section/,
  );
});

// Each file of test/unit/fixtures/uci/ with what the real `uci export t` printed for it (libuci
// built from OpenWrt's sources): the stand-in must print the same, byte positions included.
const corpus = new URL('../unit/fixtures/uci/', import.meta.url);
const corpusFile = (file: string) => readFileSync(new URL(file, corpus), 'utf8');

test('export of every corpus file: what the real uci printed, or its parse error', async () => {
  const names = readdirSync(corpus)
    .filter((f) => f.endsWith('.uci'))
    .map((f) => f.slice(0, -'.uci'.length));
  assert.ok(names.length >= 30, `${names.length} files`);
  for (const name of names)
    dir.writeConfig(name.replace(/[^A-Za-z0-9_]/g, '_'), corpusFile(`${name}.uci`));
  // A few at a time: each run is a Node start.
  for (let i = 0; i < names.length; i += 8) {
    await Promise.all(
      names.slice(i, i + 8).map(async (name) => {
        const out = await uci(['export', name.replace(/[^A-Za-z0-9_]/g, '_')]);
        if (name.startsWith('err-'))
          assert.equal([out.code, out.stderr], [1, `uci: ${corpusFile(`${name}.error`)}`], name);
        else {
          const expected = corpusFile(`${name}.export`).replace(
            /^package t\n/,
            `package ${name.replace(/[^A-Za-z0-9_]/g, '_')}\n`,
          );
          assert.equal([out.code, out.stdout, out.stderr], [0, expected, ''], name);
        }
      }),
    );
  }
});

// All recorded from the real uci on this file.
const ANONYMOUS = 'config foo\n option a b\nconfig foo\nconfig bar x\nconfig foo\n';

test('unnamed sections are named as libuci names them: counter and hash of the type', async () => {
  dir.writeConfig('t', ANONYMOUS);
  assert.is(
    (await uci(['-X', 'show', 't'])).stdout,
    "t.cfg017389=foo\nt.cfg017389.a='b'\nt.cfg027389=foo\nt.x=bar\nt.cfg047389=foo\n",
  );
  assert.is(
    (await uci(['-n', 'export', 't'])).stdout,
    "package t\n\nconfig foo 'cfg017389'\n\toption a 'b'\n\nconfig foo 'cfg027389'\n\nconfig bar 'x'\n\nconfig foo 'cfg047389'\n\n",
  );
  assert.is((await uci(['add', 't', 'foo'])).stdout, 'cfg057389\n');
  dir.writeConfig('u', ANONYMOUS);
  assert.is((await uci(['add', 'u', 'rule'])).stdout, 'cfg0592bd\n');
});

test('-S: a bad line is reported and skipped, extra words ignored; add exits 5 on a parse error', async () => {
  dir.writeConfig('t', 'config a b\n option x 1 2\n option y 3\nbogus\nconfig c d\n');
  const loose = await uci(['-S', 'export', 't']);
  assert.equal(
    [loose.code, loose.stdout, loose.stderr],
    [
      0,
      "package t\n\nconfig a 'b'\n\toption x '1'\n\toption y '3'\n\nconfig c 'd'\n\n",
      'Parse error (invalid command) at line 4, byte 0\n',
    ],
  );
  const strict = await uci(['add', 't', 'foo']);
  assert.equal(
    [strict.code, strict.stderr],
    [5, 'uci: Parse error (too many arguments) at line 2, byte 14\n'],
  );
});

test('set, add_list, del_list, delete are staged: get sees them, the file only after commit', async () => {
  assert.is((await uci(['set', 'op25b.policy.enabled=0'])).code, 0);
  assert.is((await uci(['add_list', 'op25b.policy.port=465'])).code, 0);
  assert.is((await uci(['del_list', 'op25b.policy.port=25'])).code, 0);
  assert.is((await uci(['delete', 'op25b.named'])).code, 0);
  assert.is((await uci(['set', 'op25b.agent=agent'])).code, 0);
  assert.is((await uci(['set', 'op25b.agent.log_target=syslog'])).code, 0);
  assert.is((await uci(['get', 'op25b.policy.enabled'])).stdout, '0\n');
  assert.is((await uci(['get', 'op25b.policy.port'])).stdout, '587 465\n');
  assert.is(dir.readConfig('op25b'), CONFIG, 'the file is untouched before commit');
  assert.is((await uci(['commit', 'op25b'])).code, 0);
  // uci commit writes the export without the package line.
  assert.is(
    dir.readConfig('op25b'),
    `
config policy 'policy'
	option enabled '0'
	list port '587'
	list port '465'
	list allow '203.0.113.25'
	option note 'it'\\''s'

config rule
	option name 'a b'

config agent 'agent'
	option log_target 'syslog'

`,
  );
});

test("add prints the new section's name; it and @type[-1] address it", async () => {
  const added = await uci(['add', 'op25b', 'rule']);
  assert.is(added.code, 0);
  const name = added.stdout.trim();
  assert.match(name, /^cfg[0-9a-f]{6}$/);
  assert.is((await uci(['set', `op25b.${name}.dest_port=25`])).code, 0);
  assert.is((await uci(['get', 'op25b.@rule[-1].dest_port'])).stdout, '25\n');
  assert.is(
    (await uci(['show', 'op25b.@rule[2]'])).stdout,
    "op25b.@rule[2]=rule\nop25b.@rule[2].dest_port='25'\n",
  );
});

test("revert drops staged changes; set '' deletes; a bad path is an invalid argument", async () => {
  await uci(['set', 'op25b.policy.enabled=0']);
  assert.is((await uci(['revert', 'op25b'])).code, 0);
  assert.is((await uci(['get', 'op25b.policy.enabled'])).stdout, '1\n');
  await uci(['set', 'op25b.policy.enabled=']);
  assert.is((await uci(['get', 'op25b.policy.enabled'])).code, 1);
  for (const args of [
    ['set', 'op25b.policy.bad name=1'],
    ['set', 'op25b.nosuch.x=1'],
    ['get', 'op25b..x'],
  ]) {
    const out = await uci(args);
    assert.equal([out.code, out.stderr], [1, 'uci: Invalid argument\n'], args.join(' '));
  }
});

test('-c picks the config directory; without one (and no OP25B_STANDIN_DIR) it refuses', async () => {
  const other = createStandinDir();
  try {
    other.writeConfig('op25b', "config policy 'policy'\n\toption enabled '0'\n");
    const out = await uci(['-c', `${other.path}/config`, 'get', 'op25b.policy.enabled']);
    assert.is(out.stdout, '0\n');
  } finally {
    other.remove();
  }
  const refused = await uci(['show'], { ...dir.env(), OP25B_STANDIN_DIR: '' });
  assert.is(refused.code, 1);
});

test('usage: an unknown command exits 255 with the usage text', async () => {
  const out = await uci(['frobnicate']);
  assert.is(out.code, 255);
  assert.match(out.stderr, /^Usage: uci \[<options>\] <command> \[<arguments>\]/);
});

test.run();
