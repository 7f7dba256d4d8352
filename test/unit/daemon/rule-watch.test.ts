import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { concernsAgent, watchRules } from '../../../agent/daemon/rule-watch.ts';
import {
  grewTooMuch,
  MONITOR_GROWTH_LIMIT_KB,
  residentKb,
} from '../../../agent/daemon/monitor-growth.ts';
import type { Logger } from '../../../agent/log/logger.ts';
import { fakeRuntime } from '../openwrt/fake-runtime.ts';
import { clockRuntime } from './fake-clock.ts';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };

test('nft monitor lines about the agent or about everything concern it', () => {
  for (const line of [
    'delete table inet op25b',
    'add rule inet op25b block counter name "blocked" accept',
    'delete element inet op25b relays_v4 { 203.0.113.25 }',
    'flush ruleset',
    'delete table inet fw4',
    '  delete table ip nat',
  ])
    assert.ok(concernsAgent(line), line);
});

test('other tables and sets do not', () => {
  for (const line of [
    'add rule inet fw4 input_wan udp dport 68 accept',
    'add element inet fw4 banip_v4 { 198.51.100.9 }',
    'add table inet op25bx',
    '# new generation 12 by process 77 (nft)',
    '',
  ])
    assert.not.ok(concernsAgent(line), line);
});

test('the periodic check fires every interval until stopped (no nft: no monitor)', async () => {
  const runtime = clockRuntime();
  const reasons: string[] = [];
  const watch = watchRules(runtime, 'nftables', 30_000, silent, (r) => reasons.push(r));
  await runtime.advance(29_999);
  assert.equal(reasons, []);
  await runtime.advance(1);
  assert.equal(reasons, ['periodic check']);
  await runtime.advance(60_000);
  assert.is(reasons.length, 3);
  watch.stop();
  await runtime.advance(120_000);
  assert.is(reasons.length, 3);
  assert.is(runtime.pendingTimers(), 0);
});

test('nft monitor runs with no shell around it; a burst is one check; a restart is followed by one', async () => {
  const runtime = fakeRuntime(['nft']);
  const reasons: string[] = [];
  const watch = watchRules(runtime, 'nftables', 3_600_000, silent, (r) => reasons.push(r));
  const first = runtime.children[0]!;
  assert.equal(first.argv, ['nft', 'monitor']);
  first.emit('delete table inet op25b\nadd table inet op25b\n');
  await runtime.advance(100);
  assert.equal(reasons, ['nft monitor event']);
  first.exit(1);
  await runtime.advance(5_000);
  assert.is(runtime.children.length, 2);
  // Events may have been missed while no monitor ran: a check once the new one listens.
  assert.equal(reasons, ['nft monitor event']);
  await runtime.advance(1_000);
  assert.equal(reasons, ['nft monitor event', 'nft monitor restarted']);
  watch.stop();
  assert.is(runtime.children[1]!.killedWith, 15);
});

test('VmRSS is read from /proc/<pid>/status; a missing process or field reads as null', () => {
  assert.is(
    residentKb('Name:\tnft\nVmHWM:\t    9000 kB\nVmRSS:\t    4212 kB\nRssAnon: 1 kB\n'),
    4212,
  );
  assert.is(residentKb('Name:\tnft\n'), null);
  assert.is(residentKb(null), null);
  assert.ok(grewTooMuch(4000, 4000 + MONITOR_GROWTH_LIMIT_KB));
  assert.not.ok(grewTooMuch(4000, 4000 + MONITOR_GROWTH_LIMIT_KB - 1));
});

/** A runtime whose monitor processes report the VmRSS the test sets per pid. */
function growingRuntime() {
  const runtime = fakeRuntime(['nft']);
  const rss = new Map<number, number>();
  runtime.readText = (path) => {
    const pid = Number(/^\/proc\/(\d+)\/status$/.exec(path)?.[1]);
    const kb = rss.get(pid);
    const child = runtime.children.find((c) => c.pid === pid);
    return kb === undefined || !child || child.exited ? null : `Name:\tnft\nVmRSS:\t${kb} kB\n`;
  };
  return { runtime, rss };
}

function recordingLog(): Logger & { infos: string[]; warns: string[] } {
  const infos: string[] = [];
  const warns: string[] = [];
  return {
    infos,
    warns,
    error() {},
    debug() {},
    info: (m) => infos.push(m),
    warn: (m) => warns.push(m),
  };
}

test('a monitor grown by its cache is restarted at once, and a check follows', async () => {
  const { runtime, rss } = growingRuntime();
  const log = recordingLog();
  const reasons: string[] = [];
  const watch = watchRules(runtime, 'nftables', 3_600_000, log, (r) => reasons.push(r));
  const first = runtime.children[0]!;
  rss.set(first.pid, 4200);
  await runtime.advance(60_000); // the first reading is its baseline
  rss.set(first.pid, 4200 + MONITOR_GROWTH_LIMIT_KB - 1);
  await runtime.advance(60_000);
  assert.is(runtime.children.length, 1, 'not restarted below the limit');
  rss.set(first.pid, 4200 + MONITOR_GROWTH_LIMIT_KB);
  await runtime.advance(60_000);
  assert.is(first.killedWith, 15);
  assert.is(runtime.children.length, 2, 'restarted without the 5 s wait of a crash');
  assert.equal(runtime.children[1]!.argv, ['nft', 'monitor']);
  assert.equal(reasons, []);
  await runtime.advance(1_000);
  assert.equal(reasons, ['nft monitor restarted']);
  assert.equal(log.warns, []);
  assert.match(log.infos.join('\n'), /grew from 4200 to 6248 KB/);
  // The new monitor gets a baseline of its own: its first reading, however large.
  const second = runtime.children[1]!;
  rss.set(second.pid, 9000);
  await runtime.advance(60_000);
  rss.set(second.pid, 9000 + MONITOR_GROWTH_LIMIT_KB - 1);
  await runtime.advance(60_000);
  assert.is(runtime.children.length, 2);
  watch.stop();
  assert.is(second.killedWith, 15);
  await runtime.advance(600_000);
  assert.is(runtime.children.length, 2);
  assert.is(runtime.pendingTimers(), 0);
});

test('a monitor that is gone is left to its exit handler', async () => {
  const { runtime } = growingRuntime();
  const log = recordingLog();
  const watch = watchRules(runtime, 'nftables', 3_600_000, log, () => {});
  await runtime.advance(60_000); // no /proc entry: no baseline, no restart, no further reading
  assert.is(runtime.children.length, 1);
  assert.is(runtime.children[0]!.killedWith, null);
  watch.stop();
  assert.is(runtime.pendingTimers(), 0);
});

test.run();
