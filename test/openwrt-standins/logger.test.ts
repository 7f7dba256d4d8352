// The logger stand-in: options and stdin as BusyBox's logger takes them, one
// "<facility>.<level> <tag>: <message>" line per message in $OP25B_STANDIN_DIR/syslog.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from './run.ts';
import { createStandinDir, type StandinDir } from './standin-dir.ts';

let dir: StandinDir;
const logger = (args: string[], stdin = '') => run(['logger', ...args], dir.env(), stdin);

test.before.each(() => {
  dir = createStandinDir();
});
test.after.each(() => dir.remove());

test('message arguments: one line, joined by spaces', async () => {
  const out = await logger(['-t', 'op25b', '-p', 'daemon.info', 'block', 'on']);
  assert.equal([out.code, out.stdout, out.stderr], [0, '', '']);
  assert.equal(dir.syslog(), ['daemon.info op25b: block on']);
});

test('stdin: one message per line, empty lines skipped', async () => {
  await logger(['-t', 'op25b', '-p', 'daemon.err'], 'first\n\nsecond\nthird without newline');
  assert.equal(dir.syslog(), [
    'daemon.err op25b: first',
    'daemon.err op25b: second',
    'daemon.err op25b: third without newline',
  ]);
});

test('priorities: facility.level, a level alone (user), aliases, numbers', async () => {
  await logger(['-t', 't', '-p', 'daemon.warn', 'a']);
  await logger(['-t', 't', '-p', 'err', 'b']);
  await logger(['-t', 't', '-p', '30', 'c']);
  await logger(['-t', 't', '-p', 'local7.debug', 'd']);
  await logger(['-t', 't', 'e']);
  assert.equal(dir.syslog(), [
    'daemon.warning t: a',
    'user.err t: b',
    'daemon.info t: c',
    'local7.debug t: d',
    'user.notice t: e',
  ]);
});

test('an unknown priority or facility: exit 1 and a message, nothing logged', async () => {
  const level = await logger(['-p', 'daemon.loud', 'x']);
  assert.equal([level.code, level.stderr], [1, 'logger: unknown priority name: loud\n']);
  const facility = await logger(['-p', 'kitchen.info', 'x']);
  assert.equal([facility.code, facility.stderr], [1, 'logger: unknown facility name: kitchen\n']);
  assert.equal(dir.syslog(), []);
});

test('-s copies to stderr', async () => {
  const out = await logger(['-s', '-t', 'op25b', 'hello']);
  assert.is(out.stderr, 'op25b: hello\n');
});

test('a long-running logger logs each line as it arrives, not at the end', async () => {
  const child = spawn('logger', ['-t', 'op25b', '-p', 'daemon.info'], {
    env: dir.env(),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const waitLines = async (n: number) => {
    const deadline = Date.now() + 3000;
    while (dir.syslog().length < n) {
      if (Date.now() > deadline) throw new Error(`syslog: ${dir.syslog().join(' | ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  child.stdin.write('one\n');
  await waitLines(1);
  child.stdin.write('two\nthr');
  await waitLines(2);
  child.stdin.end('ee\n');
  await new Promise((r) => child.on('close', r));
  assert.equal(dir.syslog(), [
    'daemon.info op25b: one',
    'daemon.info op25b: two',
    'daemon.info op25b: three',
  ]);
});

test.run();
