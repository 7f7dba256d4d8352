// The built bundle under dist/qjs: the command line, its exit codes and its error lines. Kernel
// effects are covered by test/integration; nothing here needs a network namespace.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AGENT_BUNDLE, QJS } from '../qjs/bundle.ts';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'op25b-smoke-'));

// QuickJS 2025-04-26 on makes a promise rejected without a handler, even for a moment, fatal
// (exit 1); 2021-03-27 reports it with --unhandled-rejection. Every run here is checked for it.
const UNHANDLED = 'Possibly unhandled promise rejection';

function agent(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const argv = ['--unhandled-rejection', AGENT_BUNDLE, ...args];
    execFile(QJS, argv, { env, timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (stderr.includes(UNHANDLED))
        reject(new Error(`${args.join(' ')}: a promise rejection went unhandled:\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

function config(name: string, body: string): string {
  const path = join(scratch, name);
  writeFileSync(path, `config policy 'policy'\n${body}`);
  return path;
}

test('version (or --version) prints the package version and the runtime', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  for (const args of [['version'], ['--version']]) {
    const out = await agent(args);
    assert.is(out.code, 0, args[0]);
    assert.is(out.stdout, `op25b-agent ${version} (quickjs)\n`);
  }
});

test('no command, unknown command or option: exit 2, one line pointing to the usage', async () => {
  for (const args of [
    [],
    ['bogus'],
    ['apply', '--frobnicate'],
    ['apply', 'extra'],
    ['status', '--config'],
  ]) {
    const out = await agent(args);
    assert.is(out.code, 2, args.join(' '));
    assert.match(
      out.stderr,
      /^op25b: error: .+ \(`op25b-agent help` lists the commands and options\)\n$/,
    );
  }
});

test('bad input to every command: exit 2, and no rejection left unhandled for a moment', async () => {
  const bad = config('bad-port.uci', "\toption port 'smtp'\n");
  for (const command of ['apply', 'verify', 'status', 'print', 'run']) {
    const out = await agent([command, '--config', bad]);
    assert.is(out.code, 2, `${command}: ${out.stderr}`);
    assert.match(out.stderr, /^op25b: error: .*smtp/, command);
  }
});

test('a missing config file: exit 2 naming the file', async () => {
  const out = await agent(['apply', '--config', join(scratch, 'absent')]);
  assert.is(out.code, 2);
  assert.is(out.stderr, `op25b: error: cannot read config file "${join(scratch, 'absent')}"\n`);
  assert.is(out.stdout, '');
});

const hostile: [string, string][] = [
  ["\tlist allow '1.2.3.4; reboot'\n", 'invalid policy.allow "1.2.3.4; reboot"'],
  ["\tlist port '0'\n", 'invalid policy.port "0"'],
  ["\tlist port '65536'\n", 'invalid policy.port "65536"'],
  ["\tlist port '25-'\n", 'invalid policy.port "25-"'],
  ["\tlist wan_device 'eth 1'\n", 'invalid policy.wan_device "eth 1"'],
  ["\tlist wan_device 'wan\"'\n", 'invalid policy.wan_device "wan\\""'],
  ["\toption action 'accept'\n", 'invalid policy.action "accept"'],
  ["\toption backend 'pf'\n", 'invalid policy.backend "pf"'],
  ["\tlist allow '203.0.113.25\n", "parse error (EOF with unterminated ') at line 2"],
];

for (const [line, expected] of hostile) {
  test(`bad config ${JSON.stringify(line.trim())}: exit 2, one line naming option and value`, async () => {
    const path = config('bad', line);
    for (const command of ['apply', 'verify', 'status', 'print']) {
      const out = await agent([command, '--config', path]);
      assert.is(out.code, 2, command);
      assert.is(out.stdout, '', 'nothing applied or printed');
      assert.is(out.stderr.split('\n').length, 2, `one line: ${out.stderr}`);
      assert.ok(out.stderr.includes(expected), out.stderr);
    }
  });
}

test('print renders the nftables table for the policy', async () => {
  const path = config(
    'nft',
    "\toption backend 'nftables'\n\toption action 'reject'\n\tlist allow '203.0.113.25'\n\tlist wan_device 'pppoe-wan'\n",
  );
  const out = await agent(['print', '--config', path]);
  assert.is(out.code, 0);
  assert.ok(out.stdout.startsWith("# nftables: backend 'nftables' set in config\n"));
  assert.ok(out.stdout.includes('elements = { "pppoe-wan" }'));
  assert.ok(out.stdout.includes('elements = { 203.0.113.25 }'));
  assert.ok(out.stdout.includes('meta l4proto tcp counter name "blocked" reject with tcp reset'));
});

test('print renders iptables-restore input for both families', async () => {
  const path = config(
    'ipt',
    "\toption backend 'iptables'\n\toption iptables_variant 'legacy'\n\tlist allow '2001:db8:ff::25'\n\tlist wan_device 'wan'\n",
  );
  const out = await agent(['print', '--config', path]);
  assert.is(out.code, 0);
  assert.ok(out.stdout.includes('# iptables-legacy-restore --noflush'));
  assert.ok(out.stdout.includes('# ip6tables-legacy-restore --noflush'));
  assert.ok(out.stdout.includes('-A OP25B -o wan -p tcp -m tcp --dport 25 -j OP25B_BLOCK'));
  assert.ok(out.stdout.includes('-A OP25B_BLOCK -d 2001:db8:ff::25/128 -j RETURN'));
  assert.ok(out.stdout.includes('-I FORWARD 1 -j OP25B'));
});

/** A PATH holding only links to the named real programs. */
function pathWith(name: string, programs: string[]): string {
  const dir = join(scratch, `path-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const program of programs) symlinkSync(`/usr/sbin/${program}`, join(dir, program));
  return dir;
}

test('backend auto: decided from the programs found, reason included', async () => {
  const path = config('auto', "\toption backend 'auto'\n");
  const cases: [string[], RegExp][] = [
    [['iptables-restore', 'nft'], /^# iptables: fw4 not found, iptables-restore found/],
    [['nft'], /^# nftables: nft found, no iptables-restore/],
  ];
  for (const [programs, expected] of cases) {
    const PATH = pathWith(programs.join('-'), programs);
    const out = await agent(['print', '--config', path], { PATH });
    assert.is(out.code, 0, out.stderr);
    assert.match(out.stdout, expected);
  }
  const none = await agent(['print', '--config', path], { PATH: pathWith('none', []) });
  assert.is(none.code, 1);
  assert.is(
    none.stderr,
    'op25b: error: neither nft nor iptables-restore found: cannot enforce the block\n',
  );
});

test('an unknown option is a warning, not an error', async () => {
  const path = config('warn', "\toption backend 'nftables'\n\toption colour 'blue'\n");
  const out = await agent(['print', '--config', path]);
  assert.is(out.code, 0);
  assert.is(out.stderr, 'op25b: warn: unknown option policy.colour ignored\n');
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
