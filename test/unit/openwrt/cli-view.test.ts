import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configFromUci } from '../../../agent/config/agent-config.ts';
import { parseUci } from '../../../agent/config/uci-parse.ts';
import { openWrtView } from '../../../agent/openwrt/cli-view.ts';
import { effectivePolicy } from '../../../agent/policy/effective-policy.ts';
import { fakeRuntime } from './fake-runtime.ts';

const DUMP = 'ubus -S -t 5 call network.interface dump';
const BOARD = 'ubus -S -t 5 call system board';

function context(policyLines: string[]) {
  const config = configFromUci(parseUci(["config policy 'policy'", ...policyLines].join('\n')));
  return { config, effective: effectivePolicy(config.policy, null) };
}

const dump = JSON.stringify({
  interface: [
    { interface: 'lan', up: true, proto: 'static', device: 'br-lan', l3_device: 'br-lan' },
    { interface: 'wan', up: true, proto: 'pppoe', device: 'wan', l3_device: 'pppoe-wan' },
    { interface: 'wan6', up: true, proto: 'dhcpv6', device: '@wan', l3_device: 'pppoe-wan' },
  ],
});

test('without ubus: the policy as configured, nothing asked, no device facts', async () => {
  const runtime = fakeRuntime([]);
  const ctx = context(["\tlist wan_device 'eth1'"]);
  const view = await openWrtView(runtime, ctx, true);
  assert.equal(view.effective, ctx.effective);
  assert.equal(view.device, {});
  assert.equal(runtime.runs, []);
  assert.equal(runtime.stderr, []);
});

test('without ubus but wan_interface set: a warning, wan_device only', async () => {
  const runtime = fakeRuntime([]);
  const ctx = context(["\tlist wan_interface 'wan'", "\tlist wan_device 'eth1'"]);
  const view = await openWrtView(runtime, ctx);
  assert.equal(view.effective.policy.wanDevices, ['eth1']);
  assert.equal(runtime.stderr, [
    'op25b: warn: wan_interface needs ubus, which is missing: using wan_device only\n',
  ]);
});

test('with ubus: wan_device plus the devices of wan and wan6; proto and board for status', async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer(DUMP, { stdout: dump });
  runtime.answer(BOARD, {
    stdout:
      '{"model":"Test Router","board_name":"test,router","release":{"description":"OpenWrt 24.10.0"}}',
  });
  const ctx = context(["\tlist wan_device 'eth1'"]);
  const view = await openWrtView(runtime, ctx, true);
  assert.equal(view.effective.policy.wanDevices, ['eth1', 'pppoe-wan', 'wan']);
  assert.equal(
    { ...view.effective.policy, wanDevices: [] },
    { ...ctx.effective.policy, wanDevices: [] },
  );
  assert.equal(view.device, {
    model: 'Test Router',
    board: 'test,router',
    release: 'OpenWrt 24.10.0',
    wanProto: 'pppoe',
  });
  assert.equal(runtime.stderr, []);
});

test('without the board flag system board is not asked', async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer(DUMP, { stdout: dump });
  const view = await openWrtView(runtime, context([]));
  assert.equal(view.device, { wanProto: 'pppoe' });
  assert.equal(
    runtime.runs.map((r) => r.argv.join(' ')),
    [DUMP],
  );
});

test('configured interfaces replace the defaults; unknown ones are named', async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer(DUMP, { stdout: dump });
  const view = await openWrtView(
    runtime,
    context(["\tlist wan_interface 'wan6'", "\tlist wan_interface 'wwan'"]),
  );
  assert.equal(view.effective.policy.wanDevices, ['pppoe-wan']);
  assert.equal(view.device, { wanProto: 'dhcpv6' });
  assert.equal(runtime.stderr, ['op25b: warn: WAN interface not known to netifd: wwan\n']);
});

test('ubusd down: a warning and wan_device only (none at all: every device but lo)', async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer(DUMP, { code: 255 });
  runtime.answer(BOARD, { code: 255 });
  const view = await openWrtView(runtime, context([]), true);
  assert.equal(view.effective.policy.wanDevices, []);
  assert.equal(view.device, {});
  assert.equal(runtime.stderr, [
    'op25b: warn: cannot read the WAN interfaces (ubus call network.interface dump: CONNECTION_FAILED): using wan_device only\n',
  ]);
});

test("the ISP's desired state keeps the WAN devices the router found", async () => {
  const runtime = fakeRuntime(['ubus']);
  runtime.answer(DUMP, { stdout: dump });
  const { config } = context(["\tlist wan_device 'eth1'"]);
  const effective = effectivePolicy(config.policy, {
    version: 7,
    enabled: true,
    action: 'reject',
  } as never);
  const view = await openWrtView(runtime, { config, effective });
  assert.is(view.effective.source, 'remote');
  assert.is(view.effective.version, 7);
  assert.is(view.effective.policy.action, 'reject');
  assert.equal(view.effective.policy.wanDevices, ['eth1', 'pppoe-wan', 'wan']);
});

test.run();
