// The one-shot commands (apply, verify, print, status) in the router namespace, with the ubus
// stand-ins on PATH (WAN devices and device facts from ubus), without them (the config's
// wan_device list alone), with ubusd down, and with bad agent options.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runAgent } from './agent-process.ts';
import { cliBed, expectExit, POLICY, setting } from './cli-bed.ts';
import { kernelDevices } from './kernel-devices.ts';

const test = suite('openwrt: one-shot commands, with and without ubus');
const ready = cliBed(test);

test('without ubus: wan_device alone, no warning, as before', async () => {
  const { bed: b, files: f } = ready();
  const config = f.config({ ...POLICY, wanDevices: ['wan'] });
  const apply = await runAgent(b, null, ['apply', '--config', config]);
  expectExit(apply, 0, 'apply');
  assert.is(apply.stderr, '');
  assert.match(
    apply.stdout,
    /^applied \(nftables\): block on \(config\): reject tcp port 25 \(ipv4\+ipv6\) leaving wan;/,
  );
  assert.equal(await kernelDevices(b, setting), ['wan']);
  const verify = await runAgent(b, null, ['verify', '--config', config]);
  expectExit(verify, 0, 'verify');
  assert.is(verify.stderr, '');
  const print = await runAgent(b, null, ['print', '--config', config]);
  assert.match(
    print.stdout,
    /set wan_devices \{\n\t\ttype ifname\n\t\telements = \{ "wan" \}\n\t\}/,
  );
  const status = await runAgent(b, null, ['status', '--config', config]);
  expectExit(status, 0, 'status');
  const document = JSON.parse(status.stdout);
  assert.equal(document.device, { id: 'cpe-openwrt' });
  assert.equal(document.policy.wan_devices, ['wan']);
  assert.is(document.enforcement.applied, true);
});

test('without ubus, wan_interface set: a warning, and the rules of wan_device alone', async () => {
  const { bed: b, files: f } = ready();
  const config = f.config({ ...POLICY, wanDevices: ['wan'] }, {}, ["list wan_interface 'wan'"]);
  const apply = await runAgent(b, null, ['apply', '--config', config]);
  expectExit(apply, 0, 'apply');
  assert.is(
    apply.stderr,
    'op25b: warn: wan_interface needs ubus, which is missing: using wan_device only\n',
  );
  assert.equal(await kernelDevices(b, setting), ['wan']);
});

test('with ubus: apply, verify, print and status add the devices of wan and wan6', async () => {
  const { bed: b, standins: s, files: f } = ready();
  const config = f.config({ ...POLICY, wanDevices: ['eth9'] });
  const apply = await runAgent(b, s, ['apply', '--config', config]);
  expectExit(apply, 0, 'apply');
  assert.is(apply.stderr, '');
  assert.match(apply.stdout, /leaving eth9,pppoe-wan,wan;/);
  assert.equal(await kernelDevices(b, setting), ['eth9', 'pppoe-wan', 'wan']);
  expectExit(await runAgent(b, s, ['verify', '--config', config]), 0, 'verify');
  const print = await runAgent(b, s, ['print', '--config', config]);
  assert.match(print.stdout, /elements = \{ "eth9", "pppoe-wan", "wan" \}/);
  const status = await runAgent(b, s, ['status', '--config', config]);
  expectExit(status, 0, 'status');
  const document = JSON.parse(status.stdout);
  assert.equal(document.device, {
    id: 'cpe-openwrt',
    model: 'Test Router',
    board: 'test,router',
    release: 'OpenWrt 23.05.5 r24106-10cc5fcd00',
    wan_proto: 'pppoe',
  });
  assert.equal(document.policy.wan_devices, ['eth9', 'pppoe-wan', 'wan']);
  assert.is(document.enforcement.applied, true);
  assert.ok(s.calls().includes('network.interface dump {}'));
});

test('with ubus, the PPPoE session gone: verify still agrees (pppoe-wan is predicted)', async () => {
  const { bed: b, standins: s, files: f } = ready();
  const config = f.config({ ...POLICY, wanDevices: ['eth9'] });
  s.setInterface('wan', { up: false, proto: 'pppoe', device: 'wan' });
  try {
    expectExit(await runAgent(b, s, ['verify', '--config', config]), 0, 'verify');
  } finally {
    s.setInterface('wan', { up: true, proto: 'pppoe', device: 'wan', l3_device: 'pppoe-wan' });
  }
});

test('ubusd down: a warning, wan_device only; none configured: every device but lo', async () => {
  const { bed: b, standins: s, files: f } = ready();
  s.setDaemonDown(true);
  try {
    const config = f.config({ ...POLICY, wanDevices: ['eth9'] });
    const apply = await runAgent(b, s, ['apply', '--config', config]);
    expectExit(apply, 0, 'apply');
    assert.is(
      apply.stderr,
      'op25b: warn: cannot read the WAN interfaces (ubus call network.interface dump: CONNECTION_FAILED): using wan_device only\n',
    );
    assert.equal(await kernelDevices(b, setting), ['eth9']);
    const bare = f.config(POLICY);
    const print = await runAgent(b, s, ['print', '--config', bare]);
    assert.match(print.stdout, /oifname != "lo" tcp dport @ports jump block/);
  } finally {
    s.setDaemonDown(false);
  }
});

test('a bad log_target or wan_interface: exit 2 and one line naming the value', async () => {
  const { bed: b, standins: s, files: f } = ready();
  const badTarget = f.config(POLICY, { log_target: 'file' });
  for (const command of ['run', 'apply']) {
    const out = await runAgent(b, s, [command, '--config', badTarget]);
    expectExit(out, 2, command);
    assert.is(
      out.stderr,
      'op25b: error: invalid agent.log_target "file": expected stderr, procd, syslog\n',
    );
  }
  const badInterface = f.config(POLICY, {}, ["list wan_interface 'wan-6'"]);
  const out = await runAgent(b, s, ['apply', '--config', badInterface]);
  expectExit(out, 2, 'apply');
  assert.is(
    out.stderr,
    'op25b: error: invalid wan_interface "wan-6": expected 1..32 of A-Z a-z 0-9 _\n',
  );
});

test.run();
