// The WAN-follow steps where links come and go: the rules at start, PPPoE up, down and back,
// new addresses, a new device (wwan0) and its ifdown; the block holds through each.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { pidCommand } from '../mqtt/processes.ts';
import { startDaemon } from './agent-process.ts';
import { kernelDevices } from './kernel-devices.ts';
import { startProber } from './lan-prober.ts';
import type { WanFollowRun } from './wan-follow-run.ts';
import { followPolicy, FOREIGN_25, FOREIGN_587, pppoe, RELAY_25 } from './wan-follow-plan.ts';

export function linkSteps(test: Test, run: WanFollowRun): void {
  const { setting, ready, syslog, waitSyslog, applies, expectDevices, expectBlockHeld } = run;

  test('at start the rules hold the devices of wan and wan6, pppoe-wan before it first exists', async () => {
    const { bed: b, standins: s, files: f } = ready();
    run.configPath = f.config(
      followPolicy(setting),
      {
        log_target: 'syslog',
        log_level: 'debug',
        report_interval: '10',
        // The stand-in's stand-in for ubusd's socket; a look at it starts no program.
        ubus_socket: s.socket,
        ubus_probe_interval: '2',
      },
      ["list wan_interface 'wan'", "list wan_interface 'wan6'", "list wan_interface 'wwan'"],
    );
    run.daemon = startDaemon(b, s, run.configPath);
    await expectDevices(['pppoe-wan', 'wan'], 5000);
    await s.waitForListeners(1);
    await waitSyslog(/daemon\.warning op25b: WAN interface not known to netifd: wwan$/);
    await waitSyslog(
      /daemon\.info op25b: WAN: wan pppoe down; wan6 dhcpv6 up wan 2001:db8:ff::1\/64$/,
    );
    assert.is(run.daemon.stderr(), '', 'everything went to syslog');
    const children = run.daemon.children().map(pidCommand);
    assert.ok(
      children.some((c) => /\bubus(\.cjs)? listen network\.interface op25b\.alive$/.test(c)),
      children.join('; '),
    );
    assert.not.ok(
      children.some((c) => /^(\S*\/)?sh -c /.test(c)),
      `no shell around a helper: ${children.join('; ')}`,
    );
    run.prober = startProber(b, 'lan1', [...FOREIGN_25, RELAY_25, FOREIGN_587]);
    await expectBlockHeld(0, 'at start');
  });

  test('PPPoE comes up: traffic leaves through pppoe-wan, port 25 stays blocked, no new apply', async () => {
    const { standins: s } = ready();
    const before = applies();
    const mark = run.prober!.mark();
    await run.session!.create();
    await run.session!.route();
    assert.is(await run.session!.egress('ipv4'), 'pppoe-wan');
    assert.is(await run.session!.egress('ipv6'), 'pppoe-wan');
    s.setInterface('wan', pppoe(true));
    s.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await waitSyslog(/op25b: WAN: wan pppoe up pppoe-wan 203\.0\.113\.200\/32; wan6/);
    await expectBlockHeld(mark, 'PPPoE up');
    assert.equal(await kernelDevices(run.bed!, setting), ['pppoe-wan', 'wan']);
    assert.is(applies(), before, 'the device was blocked already: nothing to apply');
  });

  test('ifdown keeps pppoe-wan blocked; the reconnect is blocked from its first packet', async () => {
    const { standins: s } = ready();
    const from = syslog().length;
    s.setInterface('wan', pppoe(false));
    s.emit('network.interface', { action: 'ifdown', interface: 'wan' });
    await run.session!.destroy();
    await waitSyslog(/op25b: WAN: wan pppoe down; wan6/, 3000, from);
    assert.equal(await kernelDevices(run.bed!, setting), ['pppoe-wan', 'wan']);
    // The new session's traffic flows before netifd reports it: already blocked.
    const mark = run.prober!.mark();
    await run.session!.create();
    await run.session!.route();
    await expectBlockHeld(mark, 'reconnect before ifup');
    s.setInterface('wan', pppoe(true, 'pppoe-wan', '203.0.113.200'));
    s.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await waitSyslog(/op25b: WAN: wan pppoe up pppoe-wan/, 3000, from);
    assert.equal(await kernelDevices(run.bed!, setting), ['pppoe-wan', 'wan']);
  });

  test('ifupdate with new addresses: logged, the rules stay as they are', async () => {
    const { standins: s } = ready();
    const before = applies();
    const mark = run.prober!.mark();
    s.setInterface('wan', pppoe(true, 'pppoe-wan', '203.0.113.210'));
    s.emit('network.interface', { action: 'ifupdate', interface: 'wan' });
    await waitSyslog(/op25b: WAN: wan pppoe up pppoe-wan 203\.0\.113\.210\/32/);
    await waitSyslog(/daemon\.debug op25b: ubus: wan ifupdate$/);
    assert.equal(await kernelDevices(run.bed!, setting), ['pppoe-wan', 'wan']);
    assert.is(applies(), before);
    await expectBlockHeld(mark, 'ifupdate');
  });

  test('a new WAN device (wwan0) is in the rules within a second, in one apply', async () => {
    const { standins: s } = ready();
    await run.wwan!.create();
    const before = applies();
    s.setInterface('wwan', {
      up: true,
      proto: 'qmi',
      l3_device: 'wwan0',
      'ipv4-address': [{ address: run.wwan!.routerV4, mask: 32 }],
    });
    s.emit('network.interface', { action: 'ifup', interface: 'wwan' });
    const ms = await expectDevices(['pppoe-wan', 'wan', 'wwan0'], 2000);
    assert.ok(ms < 1000, `the rules followed after ${Math.round(ms)} ms`);
    await waitSyslog(/op25b: enforcing: .* leaving pppoe-wan,wan,wwan0;/);
    assert.is(applies(), before + 1, 'one apply for the new device');
    const mark = run.prober!.mark();
    await run.wwan!.route();
    assert.is(await run.wwan!.egress('ipv4'), 'wwan0');
    await expectBlockHeld(mark, 'through wwan0');
  });

  test('wwan goes down: wwan0 stays in the rules; traffic through it again is blocked at once', async () => {
    const { standins: s } = ready();
    s.setInterface('wwan', { up: false, proto: 'qmi' });
    s.emit('network.interface', { action: 'ifdown', interface: 'wwan' });
    await run.wwan!.destroy();
    await waitSyslog(/op25b: WAN: wan pppoe up .*; wwan qmi down$/);
    assert.equal(await kernelDevices(run.bed!, setting), ['pppoe-wan', 'wan', 'wwan0']);
    const mark = run.prober!.mark();
    await run.wwan!.create();
    await run.wwan!.route();
    await expectBlockHeld(mark, 'wwan0 back without an event');
  });
}
