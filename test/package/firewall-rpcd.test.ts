// The packaged rpcd plugin on a real kernel: status reports what the kernel holds, reapply
// repairs it. Needs root.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, PLAN } from '../testbed/index.ts';
import { expectBlock, fw4Include, RELAYS, routerBed, setup, theBed } from './router-agent.ts';
import { rpcdCall, type StatusShape } from './rpcd-call.ts';

const test = suite('package: rpcd plugin (real kernel)');
routerBed(test);

test('rpcd plugin: status reports the kernel, reapply repairs it', async () => {
  const bed = theBed();
  await bed.installBaseline(BACKENDS.nftables);
  const path = setup(RELAYS, true);
  assert.is(fw4Include(path).code, 0);
  await expectBlock(true);

  const status = rpcdCall(path, 'status') as unknown as StatusShape;
  assert.is(status.enforcement.applied, true);
  assert.is(status.enforcement.backend, 'nftables');
  assert.is(status.policy.enabled, true);
  assert.is(status.policy.action, 'reject');
  assert.ok(status.policy.wan_devices.includes('wan'), 'wan_interface wan resolved to wan');
  assert.ok(status.policy.allow.includes(PLAN.wan.relay.ipv4));
  assert.ok(status.counters.blocked_packets > 0, 'the probes were counted');
  assert.is(status.agent.daemon, false);

  await bed.execOk('router', ['nft', 'delete', 'table', 'inet', 'op25b']);
  const drifted = rpcdCall(path, 'status') as unknown as StatusShape;
  assert.is(drifted.enforcement.applied, false);
  assert.ok(drifted.enforcement.drift.length > 0);

  const reapply = rpcdCall(path, 'reapply');
  assert.is(reapply.applied, true);
  assert.is(reapply.exit_code, 0);
  assert.is(reapply.daemon_reloaded, false, 'no daemon registered with procd here');
  assert.match(String(reapply.message), /^applied \(nftables\): block on/);
  await expectBlock(true);
  assert.is((rpcdCall(path, 'status') as unknown as StatusShape).enforcement.applied, true);
});

test.run();
