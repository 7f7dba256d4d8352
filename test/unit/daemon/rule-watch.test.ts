import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { concernsAgent, watchRules } from '../../../agent/daemon/rule-watch.ts';
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
  // Events may have been missed while no monitor ran.
  assert.equal(reasons, ['nft monitor event', 'nft monitor restarted']);
  watch.stop();
  assert.is(runtime.children[1]!.killedWith, 15);
});

test.run();
