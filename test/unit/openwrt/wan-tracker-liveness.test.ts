// How the WAN tracker notices ubusd restarting or gone (by its socket, #10) and a deaf
// listener (by an echo it sends itself), and what it starts while all is well: nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ECHO_EVERY_MS } from '../../../agent/openwrt/ubus-liveness.ts';
import { PROBE_MS, SEND, SOCKET, pppoeUp, rig, type Rig } from './wan-tracker-rig.ts';

/** The token of the latest liveness echo sent. */
function lastToken(r: Rig): string {
  const sends = r.runtime.runs.filter((run) => run.argv.join(' ').startsWith(SEND));
  return (JSON.parse(sends.at(-1)!.argv.at(-1)!) as { token: string }).token;
}

const echoes = (r: Rig): number =>
  r.runtime.runs.filter((run) => run.argv.join(' ').startsWith(SEND)).length;
const ubusLines = (r: Rig): string[] =>
  r.log.lines.filter((l) => /ubus/.test(l) && !l.startsWith('debug'));

// BUG (#10): every ubus_probe_interval the daemon started `ubus send` (360 programs an hour at
// the default) although ubusd's socket tells a restart without any program.
test('liveness: while ubusd keeps its socket, no program is started but one echo an hour', async () => {
  const r = rig();
  r.runtime.answer(SEND, { code: 0 });
  r.tracker.start();
  await r.runtime.advance(300);
  await r.runtime.advance(30 * PROBE_MS);
  assert.is(echoes(r), 0, 'no `ubus send` while the socket stays the same');
  await r.runtime.advance(ECHO_EVERY_MS - 30 * PROBE_MS);
  assert.is(echoes(r), 1, 'the hourly echo');
  r.runtime.children[0]!.emit(`{ "op25b.alive": {"token":"${lastToken(r)}"} }\n`);
  await r.runtime.advance(ECHO_EVERY_MS);
  assert.is(echoes(r), 2);
  r.runtime.children[0]!.emit(`{ "op25b.alive": {"token":"${lastToken(r)}"} }\n`);
  await r.runtime.advance(3000);
  assert.is(r.runtime.children.length, 1, 'never restarted');
  assert.equal(ubusLines(r), []);
  r.tracker.stop();
  assert.is(r.runtime.pendingTimers(), 0);
});

test('liveness: a new ubusd socket (ubusd restarted): the listener is replaced, netifd read again, an echo proves the new one', async () => {
  const r = rig();
  r.runtime.answer(SEND, { code: 0 });
  r.tracker.start();
  await r.runtime.advance(300);
  r.interfaces = [{ ...pppoeUp, l3_device: 'pppoe-wan7' }];
  r.runtime.identities.set(SOCKET, 'ubusd-2');
  await r.runtime.advance(PROBE_MS);
  assert.ok(
    r.log.lines.includes(
      'warn: ubusd restarted (a new socket): restarting ubus listen and reading the WAN interfaces again, WAN devices kept',
    ),
    r.log.lines.join('\n'),
  );
  assert.is(r.runtime.children[0]!.killedWith, 15, 'the deaf one is ended');
  assert.is(r.runtime.children.length, 2);
  await r.runtime.advance(300);
  assert.ok(r.tracker.devices().includes('pppoe-wan7'), 'resynchronised');
  await r.runtime.advance(2000); // then an echo, which the new listener hears
  assert.is(echoes(r), 1);
  r.runtime.children[1]!.emit(`{ "op25b.alive": {"token":"${lastToken(r)}"} }\n`);
  assert.ok(r.log.lines.includes('info: ubus listen hears events again'));
  await r.runtime.advance(10 * PROBE_MS);
  assert.is(echoes(r), 1, 'trusted again: no more echoes');
  assert.ok(!r.log.lines.some((l) => l.includes('exited')), 'a replaced listener is no exit');
  assert.is(r.log.lines.filter((l) => l.startsWith('warn')).length, 1);
  r.tracker.stop();
});

test('liveness: a new listener that stays deaf is replaced again until it echoes, with one warning', async () => {
  const r = rig();
  r.runtime.answer(SEND, { code: 0 });
  r.tracker.start();
  await r.runtime.advance(300);
  r.runtime.identities.set(SOCKET, 'ubusd-2');
  await r.runtime.advance(PROBE_MS + 2000 + 2000); // restart, echo, no answer
  assert.is(r.runtime.children.length, 3);
  await r.runtime.advance(2000);
  r.runtime.children[2]!.emit(`{ "op25b.alive": {"token":"${lastToken(r)}"} }\n`);
  assert.ok(r.log.lines.includes('info: ubus listen hears events again'));
  assert.is(r.log.lines.filter((l) => l.startsWith('warn')).length, 1, r.log.lines.join('\n'));
  r.tracker.stop();
});

test('liveness: ubusd gone (its socket unlinked) warns once, starts nothing; back: listener replaced', async () => {
  const r = rig(['wan', 'wan6'], false, SOCKET);
  r.runtime.answer(SEND, { code: 0 });
  r.tracker.start();
  await r.runtime.advance(300);
  r.runtime.identities.delete(SOCKET);
  await r.runtime.advance(PROBE_MS + 5 * 2000);
  assert.equal(
    r.log.lines.filter((l) => l.startsWith('warn: ubus unreachable')),
    [`warn: ubus unreachable (no ubusd socket at ${SOCKET}); WAN devices kept, retrying`],
  );
  assert.is(echoes(r), 0);
  assert.is(r.runtime.children.length, 1);
  r.runtime.identities.set(SOCKET, 'ubusd-2');
  await r.runtime.advance(2000);
  assert.ok(
    r.log.lines.includes(
      'info: ubus is back: restarting ubus listen and reading the WAN interfaces again',
    ),
  );
  assert.is(r.runtime.children.length, 2);
  await r.runtime.advance(2000);
  r.runtime.children[1]!.emit(`{ "op25b.alive": {"token":"${lastToken(r)}"} }\n`);
  assert.ok(r.log.lines.includes('info: ubus listen hears events again'));
  r.tracker.stop();
});

test('liveness: the hourly echo unanswered: the listener is replaced', async () => {
  const r = rig();
  r.runtime.answer(SEND, { code: 0 });
  r.tracker.start();
  await r.runtime.advance(ECHO_EVERY_MS + 2000);
  assert.ok(
    r.log.lines.includes(
      'warn: ubus listen hears nothing (ubusd restarted?): restarting it, WAN devices kept',
    ),
  );
  assert.is(r.runtime.children.length, 2);
  r.tracker.stop();
});

test('liveness without a ubusd socket to watch: an echo every interval, as before', async () => {
  const r = rig();
  r.runtime.identities.clear();
  r.runtime.answer(SEND, { code: 0 });
  r.tracker.start();
  await r.runtime.advance(300);
  for (let i = 0; i < 3; i++) {
    await r.runtime.advance(PROBE_MS);
    r.runtime.children[0]!.emit(`{ "op25b.alive": {"token":"${lastToken(r)}"} }\n`);
  }
  assert.is(echoes(r), 3);
  assert.is(r.runtime.children.length, 1);
  assert.equal(ubusLines(r), []);
  await r.runtime.advance(PROBE_MS + 2000); // no echo comes
  assert.ok(
    r.log.lines.includes(
      'warn: ubus listen hears nothing (ubusd restarted?): restarting it, WAN devices kept',
    ),
  );
  assert.is(r.runtime.children[0]!.killedWith, 15);
  r.runtime.answer(SEND, { code: 255 });
  await r.runtime.advance(3 * 2000);
  assert.is(r.log.lines.filter((l) => l.startsWith('warn: ubus unreachable')).length, 1);
  r.runtime.answer(SEND, { code: 0 });
  await r.runtime.advance(2000);
  assert.ok(
    r.log.lines.includes(
      'info: ubus is back: restarting ubus listen and reading the WAN interfaces again',
    ),
  );
  r.tracker.stop();
  assert.is(r.runtime.pendingTimers(), 0);
});

test.run();
