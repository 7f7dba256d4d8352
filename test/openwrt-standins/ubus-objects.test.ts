// The ubus stand-in's objects and commands other than call and listen, against the real ubus
// CLI's behaviour recorded in /work/shared/notes/platform-facts.md: ubusd's socket, the
// network.interface dump, list, send, wait_for, usage, start-up time.
import { existsSync, statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dir, standinEach, ubus } from './ubus-standin-dir.ts';

standinEach(test);

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
