// The ubus stand-in's calls against the real ubus CLI's behaviour recorded in
// /work/shared/notes/platform-facts.md: output with and without -S, failures and their exit
// codes, on a TTY or not, and with ubusd down.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOARD } from './board.ts';
import { dir, standinEach, ubus } from './ubus-standin-dir.ts';

standinEach(test);

test('-S call: one compact JSON line, exit 0', async () => {
  const out = await ubus(['-S', 'call', 'system', 'board']);
  assert.is(out.code, 0);
  assert.is(out.stdout, `${JSON.stringify(BOARD)}\n`);
  assert.is(out.stderr, '');
});

test('call without -S: tab-indented JSON, empty lists and tables on two lines', async () => {
  const out = await ubus(['call', 'network.interface.wan', 'status']);
  assert.is(out.code, 0);
  assert.is(
    out.stdout,
    [
      '{',
      '\t"up": true,',
      '\t"proto": "pppoe",',
      '\t"device": "wan",',
      '\t"l3_device": "pppoe-wan",',
      '\t"ipv4-address": [',
      '\t\t{',
      '\t\t\t"address": "203.0.113.7",',
      '\t\t\t"mask": 32',
      '\t\t}',
      '\t],',
      '\t"ipv6-address": [',
      '\t\t',
      '\t],',
      '\t"data": {',
      '\t\t',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
});

test('-S failures: the plain status, nothing printed', async () => {
  const cases: [string[], number][] = [
    [['call', 'nosuch.object', 'status'], 4],
    [['call', 'system', 'nosuch'], 3],
    [['call', 'system', 'board', '{bad json'], 12],
    [['call', 'system', 'board', '[1,2]'], 12],
    [['call', 'system', 'board', '"text"'], 12],
  ];
  for (const [args, code] of cases) {
    const out = await ubus(['-S', ...args]);
    assert.equal([out.code, out.stdout, out.stderr], [code, '', ''], args.join(' '));
  }
});

test('failures without -S off a TTY: a message and 256 - status; an unknown object exits 4', async () => {
  dir.fail('system', 'info', 5);
  dir.delay('system', 'slow', 3000);
  const cases: [string[], number, string][] = [
    [
      ['call', 'system', 'nosuch'],
      253,
      'Command failed: ubus call system nosuch (Method not found)\n',
    ],
    [
      ['call', 'system', 'board', '{bad'],
      244,
      'Command failed: ubus call system board {bad (Parsing message data failed)\n',
    ],
    [['call', 'system', 'info'], 251, 'Command failed: ubus call system info (No response)\n'],
    [
      ['-t', '1', 'call', 'system', 'slow'],
      249,
      'Command failed: ubus call system slow (Request timed out)\n',
    ],
    [['call', 'nosuch.object', 'status'], 4, 'Command failed: Not found\n'],
  ];
  for (const [args, code, stderr] of cases) {
    const out = await ubus(args);
    assert.equal([out.code, out.stdout, out.stderr], [code, '', stderr], args.join(' '));
  }
});

test('failures with stderr on a TTY: the plain status and "Command failed: <message>"', () => {
  // script(1) gives the command a pseudo-terminal; its output arrives with CRLF.
  const out = spawnSync(
    'script',
    ['-qec', 'ubus call system nosuch; echo "exit=$?"', '/dev/null'],
    { env: dir.env(), encoding: 'utf8' },
  );
  if (out.error) return; // no script(1) here
  assert.match(out.stdout.replace(/\r/g, ''), 'Command failed: Method not found\nexit=3\n');
});

test('a method answer of NO_DATA, TIMEOUT, an empty reply or one that is no object', async () => {
  dir.fail('system', 'info', 5);
  assert.is((await ubus(['-S', 'call', 'system', 'info'])).code, 5);
  dir.delay('system', 'board', 1500);
  const slow = await ubus(['-S', '-t', '1', 'call', 'system', 'board']);
  assert.is(slow.code, 7);
  assert.ok(slow.ms >= 950, `timed out after ${slow.ms} ms`);
  dir.forget('system', 'board');
  dir.answer('system', 'board', []);
  assert.is((await ubus(['-S', 'call', 'system', 'board'])).code, 2, 'an array: INVALID_ARGUMENT');
  dir.forget('system', 'board');
  assert.is((await ubus(['-S', 'call', 'system', 'board'])).code, 3);
});

test('ubusd down: "Failed to connect to ubus", exit 255 (silent with -S)', async () => {
  dir.setDaemonDown(true);
  const plain = await ubus(['call', 'system', 'board']);
  assert.equal([plain.code, plain.stdout, plain.stderr], [255, '', 'Failed to connect to ubus\n']);
  const simple = await ubus(['-S', 'call', 'system', 'board']);
  assert.equal([simple.code, simple.stdout, simple.stderr], [255, '', '']);
  const unset = await ubus(['-S', 'list'], { ...dir.env(), OP25B_STANDIN_DIR: '' });
  assert.is(unset.code, 255);
  dir.setDaemonDown(false);
  assert.is((await ubus(['-S', 'call', 'system', 'board'])).code, 0);
});

test.run();
