// The ubus stand-in against the behaviour of the real ubus CLI recorded in
// /work/shared/notes/platform-facts.md ("OpenWrt interfaces the agent meets").
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from './run.ts';
import { createStandinDir, type StandinDir } from './standin-dir.ts';

let dir: StandinDir;
const ubus = (args: string[], env = dir.env()) => run(['ubus', ...args], env);

const BOARD = {
  kernel: '6.6.73',
  hostname: 'OpenWrt',
  model: 'Test Router',
  board_name: 'test,router',
  release: {
    distribution: 'OpenWrt',
    version: '24.10.0',
    revision: 'r28427-6df0e3d02a',
    description: 'OpenWrt 24.10.0 r28427-6df0e3d02a',
  },
};

test.before.each(() => {
  dir = createStandinDir();
  dir.answer('system', 'board', BOARD);
  dir.setInterface('wan', {
    up: true,
    proto: 'pppoe',
    device: 'wan',
    l3_device: 'pppoe-wan',
    'ipv4-address': [{ address: '203.0.113.7', mask: 32 }],
    'ipv6-address': [],
    data: {},
  });
});
test.after.each(() => dir.remove());

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

// ubusd_main.c: unlink(socket) and a new bind() at every start, unlink(socket) on a clean exit.
test("ubusd's socket: a restart leaves a new file, a stop none, the next start a new one", () => {
  const inode = () => statSync(dir.socket).ino;
  const first = inode();
  assert.is(inode(), first, 'the same while ubusd runs');
  dir.restartDaemon();
  const second = inode();
  assert.is.not(second, first);
  dir.setDaemonDown(true);
  assert.not.ok(existsSync(dir.socket));
  dir.setDaemonDown(false);
  assert.ok(existsSync(dir.socket));
  assert.is.not(inode(), second);
});

test("network.interface dump is made of the interfaces' status answers and follows them", async () => {
  dir.setInterface('lan', { up: true, proto: 'static', device: 'br-lan', l3_device: 'br-lan' });
  const first = JSON.parse((await ubus(['-S', 'call', 'network.interface', 'dump'])).stdout);
  assert.equal(
    first.interface.map((i: { interface: string; proto: string }) => [i.interface, i.proto]),
    [
      ['lan', 'static'],
      ['wan', 'pppoe'],
    ],
  );
  dir.setInterface('wan', { up: false, proto: 'dhcp', device: 'eth1' });
  const second = JSON.parse((await ubus(['-S', 'call', 'network.interface', 'dump'])).stdout);
  assert.equal(second.interface[1], { interface: 'wan', up: false, proto: 'dhcp', device: 'eth1' });
  dir.answer('network.interface', 'dump', { interface: [] });
  const fixed = await ubus(['-S', 'call', 'network.interface', 'dump']);
  assert.is(fixed.stdout, '{"interface":[]}\n', 'an explicit dump answer wins');
});

test('list: the objects, one a line; a pattern; an unknown path exits 4', async () => {
  const all = await ubus(['list']);
  assert.equal([all.code, all.stdout], [0, 'network.interface\nnetwork.interface.wan\nsystem\n']);
  assert.is(
    (await ubus(['list', 'network.*'])).stdout,
    'network.interface\nnetwork.interface.wan\n',
  );
  const missing = await ubus(['list', 'nosuch']);
  assert.equal([missing.code, missing.stderr], [4, 'Command failed: Not found\n']);
});

test('calls are recorded with their arguments', async () => {
  await ubus(['-S', 'call', 'system', 'board']);
  await ubus(['-S', 'call', 'network.interface.wan', 'status', '{"x":1}']);
  assert.equal(dir.calls(), ['system board {}', 'network.interface.wan status {"x":1}']);
});

test('send: exit 0; bad or non-object JSON exits 12', async () => {
  assert.is((await ubus(['send', 'op25b.test', '{"a":1}'])).code, 0);
  assert.is((await ubus(['send', 'op25b.test'])).code, 0);
  for (const bad of ['{bad', '[]', '1']) {
    const out = await ubus(['-S', 'send', 'op25b.test', bad]);
    assert.is(out.code, 12, bad);
  }
  const plain = await ubus(['send', 'op25b.test', '[]']);
  assert.equal([plain.code, plain.stderr], [12, 'Command failed: Parsing message data failed\n']);
});

/** Starts `ubus listen`, resolving once it registered; collects its stdout as it comes. */
async function listen(args: string[]) {
  const child = spawn('ubus', args, { env: dir.env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  await dir.waitForListeners(dir.listeners().length + 1);
  return {
    child,
    exited,
    output: () => stdout,
    async waitFor(text: string, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${stdout}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

test('listen: one line per event, exactly as ubus prints it, as soon as it happens', async () => {
  const listener = await listen(['listen', 'network.interface']);
  await ubus(['send', 'network.interface', '{"action":"ifup","interface":"wan"}']);
  await listener.waitFor('\n');
  assert.is(
    listener.output(),
    '{ "network.interface": {"action":"ifup","interface":"wan"} }\n',
    'flushed per line, while it keeps running',
  );
  dir.emit('network.device', { name: 'pppoe-wan' });
  dir.emit('network.interface', { action: 'ifdown', interface: 'wan' });
  await listener.waitFor('ifdown');
  assert.is(
    listener.output(),
    '{ "network.interface": {"action":"ifup","interface":"wan"} }\n' +
      '{ "network.interface": {"action":"ifdown","interface":"wan"} }\n',
    'only the types listened to',
  );
  listener.child.kill('SIGTERM');
  await listener.exited;
  assert.equal(dir.listeners(), [], 'unregistered when it ends');
});

test('listen: several types, wildcards, everything without a type', async () => {
  const two = await listen(['listen', 'a.one', 'b.*']);
  const all = await listen(['listen']);
  for (const type of ['a.one', 'a.two', 'b.x', 'c']) dir.emit(type, { t: type });
  await all.waitFor('"c"');
  await two.waitFor('b.x');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(two.output(), '{ "a.one": {"t":"a.one"} }\n{ "b.x": {"t":"b.x"} }\n');
  assert.is(all.output().split('\n').length - 1, 4);
  two.child.kill();
  all.child.kill();
  await Promise.all([two.exited, all.exited]);
});

test('listen -t N ends after N seconds with exit 0', async () => {
  const timed = await listen(['-t', '1', 'listen', 'network.interface']);
  const started = Date.now();
  assert.is(await timed.exited, 0);
  const ms = Date.now() - started;
  assert.ok(ms >= 800 && ms < 2500, `ended after ${ms} ms`);
});

test('listen when ubusd goes away: keeps running and silent for ever, as the real CLI', async () => {
  for (const away of ['down', 'restart'] as const) {
    const orphan = await listen(['listen', 'network.interface']);
    let ended = false;
    void orphan.exited.then(() => (ended = true));
    if (away === 'down') {
      dir.setDaemonDown(true);
      const refused = await ubus(['listen', 'network.interface']);
      assert.equal([refused.code, refused.stderr], [255, 'Failed to connect to ubus\n']);
      dir.setDaemonDown(false);
    } else dir.restartDaemon();
    // The new ubusd does not know it: no longer registered.
    for (const deadline = Date.now() + 3000; dir.listeners().length;) {
      if (Date.now() > deadline) throw new Error(`${away}: still registered`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // A listener of the new ubusd hears the next event; the orphan never does, nor ends.
    const fresh = await listen(['listen', 'network.interface']);
    dir.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await fresh.waitFor('ifup');
    await new Promise((r) => setTimeout(r, 200));
    assert.is(orphan.output(), '', `${away}: the orphan printed something`);
    assert.is(ended, false, `${away}: the orphan ended`);
    assert.equal(dir.listeners(), [fresh.child.pid], `${away}: only the new one is registered`);
    for (const l of [orphan, fresh]) l.child.kill();
    await Promise.all([orphan.exited, fresh.exited]);
  }
});

test('wait_for: 0 when the objects exist, 7 after -t seconds when not', async () => {
  assert.is((await ubus(['wait_for', 'system', 'network.interface'])).code, 0);
  const out = await ubus(['-t', '1', 'wait_for', 'system', 'nosuch']);
  assert.equal([out.code, out.stderr], [7, 'Command failed: Request timed out\n']);
  assert.ok(out.ms >= 950);
});

test('usage: no command exits 1, an unknown command 254, both with the usage text', async () => {
  const none = await ubus([]);
  assert.is(none.code, 1);
  assert.match(none.stderr, /^Usage: ubus \[<options>\] <command> \[arguments\.\.\.\]\n/);
  const unknown = await ubus(['frobnicate']);
  assert.is(unknown.code, 254);
  assert.match(unknown.stderr, /^Usage: ubus/);
  assert.is((await ubus(['-x', 'list'])).code, 1);
});

test('startup is quick enough for a daemon that calls it on every WAN event', async () => {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push((await ubus(['-S', 'call', 'system', 'board'])).ms);
  const median = times.sort((a, b) => a - b)[2]!;
  assert.ok(median < 500, `median ${median} ms`);
});

test.run();
