// The uci stand-in against uci's formats as recorded in /work/shared/notes/platform-facts.md
// (show, export, 'uci: Entry not found' exit 1, parse errors) and libuci's behaviour.
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
