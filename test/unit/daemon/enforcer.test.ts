import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Enforcer } from '../../../agent/daemon/enforcer.ts';
import {
  FirewallError,
  NO_COUNTERS,
  type ApplyOptions,
  type FirewallBackend,
} from '../../../agent/firewall/backend.ts';
import type { Logger } from '../../../agent/log/logger.ts';
import type { Policy } from '../../../agent/policy/policy.ts';
import { policy } from '../helpers.ts';
import { clockRuntime } from './fake-clock.ts';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };
const DECISION = { name: 'nftables', reason: 'test' } as const;

function fakeBackend() {
  const log: string[] = [];
  let drift: string[] = [];
  let failApply = false;
  let delayMs = 0;
  const backend: FirewallBackend = {
    name: 'nftables',
    async apply(_p: Policy, options?: ApplyOptions) {
      log.push(`apply start${options?.force ? ' (force)' : ''}`);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      log.push('apply end');
      if (failApply) throw new FirewallError('nft: Error: Could not process rule');
      return { changed: true };
    },
    async verify() {
      log.push('verify');
      return drift;
    },
    counters: async () => NO_COUNTERS,
    remove: async () => {},
    render: () => '',
  };
  return {
    backend,
    log,
    setDrift: (d: string[]) => (drift = d),
    failApply: (f: boolean) => (failApply = f),
    slow: (ms: number) => (delayMs = ms),
  };
}

const off = policy({ enabled: '0' });

test('enforce applies and records success', async () => {
  const runtime = clockRuntime();
  const fake = fakeBackend();
  const enforcer = new Enforcer(runtime, fake.backend, DECISION, silent);
  assert.is(enforcer.enforcement.applied, false);
  assert.is(enforcer.enforcement.verifiedAt, null);
  assert.equal(await enforcer.enforce(off), { changed: true });
  assert.is(enforcer.enforcement.applied, true);
  assert.is(enforcer.enforcement.verifiedAt, runtime.now());
  assert.equal(fake.log, ['apply start', 'apply end']);
});

test('force is passed to the backend', async () => {
  const fake = fakeBackend();
  await new Enforcer(clockRuntime(), fake.backend, DECISION, silent).enforce(off, true);
  assert.equal(fake.log, ['apply start (force)', 'apply end']);
});

test('a failed apply is recorded as not applied and rethrown', async () => {
  const fake = fakeBackend();
  fake.failApply(true);
  const enforcer = new Enforcer(clockRuntime(), fake.backend, DECISION, silent);
  let error: unknown;
  await enforcer.enforce(off).catch((e: unknown) => (error = e));
  assert.instance(error, FirewallError);
  assert.is(enforcer.enforcement.applied, false);
  assert.is.not(enforcer.enforcement.verifiedAt, null);
});

test('operations never interleave, even after a failure', async () => {
  const fake = fakeBackend();
  fake.slow(5);
  const enforcer = new Enforcer(clockRuntime(), fake.backend, DECISION, silent);
  fake.failApply(true);
  const first = enforcer.enforce(off).catch(() => 'failed');
  const second = enforcer.verify(off);
  const third = enforcer.check(off);
  await Promise.all([first, second, third]);
  assert.equal(fake.log, ['apply start', 'apply end', 'verify', 'verify']);
});

test('check without drift: applied, no repair', async () => {
  const fake = fakeBackend();
  const enforcer = new Enforcer(clockRuntime(), fake.backend, DECISION, silent);
  assert.equal(await enforcer.check(off), { drift: [], repaired: false });
  assert.is(enforcer.enforcement.repairs, 0);
  assert.is(enforcer.enforcement.lastRepair, undefined);
});

test('check with drift repairs, counts and remembers the drift', async () => {
  const runtime = clockRuntime();
  const fake = fakeBackend();
  const enforcer = new Enforcer(runtime, fake.backend, DECISION, silent);
  fake.setDrift(['table inet op25b is missing']);
  assert.equal(await enforcer.check(off), {
    drift: ['table inet op25b is missing'],
    repaired: true,
  });
  await enforcer.check(off);
  const state = enforcer.enforcement;
  assert.is(state.applied, true);
  assert.equal(state.drift, []);
  assert.is(state.repairs, 2);
  assert.equal(state.lastRepair, { at: runtime.now(), drift: ['table inet op25b is missing'] });
  assert.equal(fake.log, [
    'verify',
    'apply start',
    'apply end',
    'verify',
    'apply start',
    'apply end',
  ]);
});

test('verify reports drift without repairing', async () => {
  const fake = fakeBackend();
  fake.setDrift(['set ports has unexpected 587']);
  const enforcer = new Enforcer(clockRuntime(), fake.backend, DECISION, silent);
  assert.equal(await enforcer.verify(off), ['set ports has unexpected 587']);
  assert.equal(fake.log, ['verify']);
  assert.is(enforcer.enforcement.repairs, 0);
});

test('check: on drift the current policy decides; a drift it explains is no repair', async () => {
  const runtime = clockRuntime();
  const fake = fakeBackend();
  const enforcer = new Enforcer(runtime, fake.backend, DECISION, silent);
  const before = policy({ wanDevices: ['wan'] });
  const now = policy({ wanDevices: ['wan', 'pppoe-wan4'] });
  const verified: Policy[] = [];
  fake.backend.verify = async (p: Policy) => {
    verified.push(p);
    return p.wanDevices.includes('pppoe-wan4') ? [] : ['wan_devices: pppoe-wan4 extra'];
  };
  let asked = 0;
  const result = await enforcer.check(before, async () => (asked++, now));
  assert.equal(result, { drift: [], repaired: false });
  assert.is(asked, 1);
  assert.equal(verified, [before, now]);
  assert.is(enforcer.enforcement.repairs, 0);
  assert.ok(!fake.log.includes('apply start'), 'nothing taken out');
  // Without drift the current policy is not even asked for: no extra cost per periodic check.
  await enforcer.check(now, async () => (asked++, now));
  assert.is(asked, 1);
});

test.run();
