// The simulated firewall (npm start's routers): the FirewallBackend contract in memory, drift and
// repair as the daemon's Enforcer sees them, counters from the traffic behind it, and its name in
// the contract and the status schema.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Enforcer } from '../../../agent/daemon/enforcer.ts';
import { FirewallError, type Counters } from '../../../agent/firewall/backend.ts';
import {
  createSimulatedBackend,
  SIMULATED_DECISION,
  type SimulatedTraffic,
} from '../../../agent/firewall/simulated/backend.ts';
import type { Logger } from '../../../agent/log/logger.ts';
import { effectivePolicy } from '../../../agent/policy/effective-policy.ts';
import { statusReport } from '../../../agent/status/status-report.ts';
import { BACKENDS } from '../../../contract/message-types.ts';
import { assertValidMessage } from '../../../contract/validate.ts';
import { clockRuntime } from '../daemon/fake-clock.ts';
import { policy } from '../helpers.ts';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };
const BLOCK = policy({ allow: ['203.0.113.25', '2001:db8::25'], wanDevices: ['pppoe-wan'] });

/** One attempt a second while blocking; records what the backend told it. */
function countingTraffic(): SimulatedTraffic & { log: string[] } {
  let attempts = 0;
  let last = 0;
  const log: string[] = [];
  return {
    log,
    advance(now, blocking) {
      log.push(blocking ? 'blocking' : 'open');
      if (blocking) attempts += Math.floor((now - last) / 1000);
      last = now;
    },
    restart(now) {
      log.push('restart');
      attempts = 0;
      last = now;
    },
    counters(): Counters {
      return {
        blockedPackets: attempts,
        blockedBytes: attempts * 60,
        topSources: attempts ? [{ address: '198.51.100.77', attempts }] : [],
      };
    },
  };
}

test('refuses to run anywhere but under Node', () => {
  const runtime = { ...clockRuntime(), name: 'quickjs' as const };
  assert.throws(
    () => createSimulatedBackend(runtime),
    (e: unknown) => e instanceof FirewallError,
  );
});

test('apply holds the rules in memory; a second apply changes nothing unless forced', async () => {
  const backend = createSimulatedBackend(clockRuntime());
  assert.equal(await backend.verify(BLOCK), ['simulated table op25b is missing']);
  assert.equal(await backend.apply(BLOCK), { changed: true });
  assert.equal(
    backend.ruleset?.map((r) => [r.family, r.verdict, r.allow]),
    [
      ['ipv4', 'drop', ['203.0.113.25']],
      ['ipv6', 'drop', ['2001:db8::25']],
    ],
  );
  assert.equal(await backend.verify(BLOCK), []);
  assert.equal(await backend.apply(BLOCK), { changed: false });
  assert.equal(await backend.apply(BLOCK, { force: true }), { changed: true });
  assert.match(backend.render(BLOCK), /simulated firewall .*nothing is loaded into a kernel/);
  assert.match(backend.render(BLOCK), /ipv4 oifname \{ pppoe-wan \} tcp dport \{ 25 \}/);
});

test('the block off means no rules; rules left behind are drift', async () => {
  const backend = createSimulatedBackend(clockRuntime());
  await backend.apply(BLOCK);
  const off = policy({ enabled: '0' });
  assert.equal(await backend.verify(off), [
    'simulated table op25b exists although the block is off',
  ]);
  assert.equal(await backend.apply(off), { changed: true });
  assert.is(backend.ruleset, null);
  assert.equal(await backend.verify(off), []);
  await backend.apply(BLOCK);
  await backend.remove();
  assert.is(backend.ruleset, null);
});

test('a policy change shows as drift by field, in words', async () => {
  const backend = createSimulatedBackend(clockRuntime());
  await backend.apply(BLOCK);
  const changed = policy({ ports: ['25', '465'], action: 'reject', families: ['ipv4'] });
  assert.equal(await backend.verify(changed), [
    'ipv4 rule verdict is drop, expected reject',
    'ipv4 rule ports { 25 }, expected { 25, 465 }',
    'ipv4 allow list { 203.0.113.25 }, expected { }',
    'ipv4 WAN devices { pppoe-wan }, expected { }',
    'unexpected ipv6 block rule',
  ]);
});

test('tampered rules are found and repaired by the daemon Enforcer', async () => {
  const runtime = clockRuntime();
  const backend = createSimulatedBackend(runtime);
  const enforcer = new Enforcer(runtime, backend, SIMULATED_DECISION, silent);
  await enforcer.enforce(BLOCK);
  assert.equal(runtime.runs, [], 'no program runs: no conntrack on the host, no nft');

  backend.tamper('accept');
  let result = await enforcer.check(BLOCK);
  assert.equal(result.drift, [
    'ipv4 rule verdict is accept, expected drop',
    'ipv6 rule verdict is accept, expected drop',
  ]);
  assert.ok(result.repaired);
  backend.tamper('flush');
  result = await enforcer.check(BLOCK);
  assert.equal(result.drift, ['simulated table op25b is missing']);
  assert.is(enforcer.enforcement.repairs, 2);
  assert.ok(enforcer.enforcement.applied);
  assert.equal(await backend.verify(BLOCK), []);
  assert.equal(runtime.runs, []);
});

test('a failing apply is a FirewallError and the enforcement says not applied', async () => {
  const runtime = clockRuntime();
  const backend = createSimulatedBackend(runtime);
  const enforcer = new Enforcer(runtime, backend, SIMULATED_DECISION, silent);
  backend.failApplies('nft -f failed (simulated): Could not process rule');
  try {
    await enforcer.enforce(BLOCK);
    assert.unreachable('apply should fail');
  } catch (error) {
    assert.instance(error, FirewallError);
    assert.match(String(error), /Could not process rule/);
  }
  assert.not.ok(enforcer.enforcement.applied);
  backend.failApplies(null);
  await enforcer.enforce(BLOCK);
  assert.ok(enforcer.enforcement.applied);
});

test('counters grow only while a block rule stands, and restart when the rules are rebuilt', async () => {
  const runtime = clockRuntime();
  const traffic = countingTraffic();
  const backend = createSimulatedBackend(runtime, { traffic });
  assert.equal(await backend.counters(), { blockedPackets: 0, blockedBytes: 0, topSources: [] });
  await backend.apply(BLOCK);
  await runtime.advance(30_000);
  assert.is((await backend.counters()).blockedPackets, 30);
  backend.tamper('accept'); // an accept lets the attempts out: nothing more is counted
  await runtime.advance(30_000);
  assert.is((await backend.counters()).blockedPackets, 30);
  await backend.apply(BLOCK); // the repair rebuilds the rules: the counters start again
  await runtime.advance(10_000);
  const counters = await backend.counters();
  assert.is(counters.blockedPackets, 10);
  assert.equal(counters.topSources, [{ address: '198.51.100.77', attempts: 10 }]);
  assert.ok(traffic.log.includes('open') && traffic.log.includes('restart'));
});

test('the status of a simulated router fits the schema and says backend simulated', async () => {
  const runtime = clockRuntime();
  const backend = createSimulatedBackend(runtime);
  const enforcer = new Enforcer(runtime, backend, SIMULATED_DECISION, silent);
  await enforcer.enforce(BLOCK);
  const document = statusReport({
    effective: effectivePolicy(BLOCK, null),
    enforcement: enforcer.enforcement,
    counters: await backend.counters(),
    device: { id: '02f500000001', wanProto: 'static' },
    agent: { runtime: 'node', boot: '0123456789abcdef', startedAt: runtime.now(), daemon: true },
    lastError: null,
    now: runtime.now(),
  });
  assertValidMessage('status', document);
  assert.is(document.enforcement.backend, 'simulated');
});

test('the contract and the status schema name the same backends', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../../schemas/status.schema.json', import.meta.url), 'utf8'),
  ) as { properties: { enforcement: { properties: { backend: { enum: string[] } } } } };
  assert.equal(schema.properties.enforcement.properties.backend.enum, [...BACKENDS]);
});

test.run();
