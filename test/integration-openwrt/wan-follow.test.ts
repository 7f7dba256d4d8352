// The daemon under dist/qjs in the router namespace follows netifd over the ubus stand-in:
// PPPoE comes up, goes down, reconnects, changes addresses; a new WAN device appears; ubusd
// restarts. The kernel rules follow within a second, and a prober on LAN 1 that keeps connecting
// to port 25 of a foreign host never gets through, before, during or after any change.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, checkAgentBuilt, type BackendSetting } from '../testbed/agent.ts';
import { PLAN } from '../testbed/plan.ts';
import { createTestbed, type Testbed } from '../testbed/testbed.ts';
import { createStandinDir, type StandinDir } from '../openwrt-standins/standin-dir.ts';
import {
  agentFiles,
  commandOf,
  kernelDevices,
  runAgent,
  startDaemon,
  startProber,
  waitForDevices,
  WanLink,
  type AgentFiles,
  type Daemon,
  type Prober,
  type ProbeRecord,
} from './rig.ts';

const BOARD = {
  kernel: '6.6.73',
  hostname: 'OpenWrt',
  model: 'Test Router',
  board_name: 'test,router',
  release: {
    distribution: 'OpenWrt',
    version: '24.10.0',
    revision: 'r28427-6df0e3d02a',
    description: 'OpenWrt 24.10.0 r28427-6df0e3d02a',
  },
};

const pppoe = (up: boolean, l3Device = 'pppoe-wan', address = '203.0.113.200') =>
  up
    ? {
        up: true,
        proto: 'pppoe',
        device: 'wan',
        l3_device: l3Device,
        'ipv4-address': [{ address, mask: 32 }],
        'ipv6-address': [],
      }
    : { up: false, proto: 'pppoe', device: 'wan' };

const FOREIGN_25 = [
  { host: PLAN.wan.foreign.ipv4, port: 25 },
  { host: PLAN.wan.foreign.ipv6, port: 25 },
];
const RELAY_25 = { host: PLAN.wan.relay.ipv4, port: 25 };
const FOREIGN_587 = { host: PLAN.wan.foreign.ipv4, port: 587 };

function wanSuite(setting: BackendSetting): void {
  const test = suite(`openwrt: the WAN devices follow netifd (${setting.label})`);
  let bed: Testbed | null = null;
  let standins: StandinDir | null = null;
  let files: AgentFiles | null = null;
  let daemon: Daemon | null = null;
  let prober: Prober | null = null;
  let configPath = '';
  let setupError: unknown = null;
  let session: WanLink | null = null;
  let wwan: WanLink | null = null;

  const ready = () => {
    if (setupError) throw setupError;
    return { bed: bed!, standins: standins!, files: files! };
  };
  const syslog = () => standins!.syslog();
  const failureContext = () =>
    `\n--- syslog:\n${syslog().slice(-40).join('\n')}\n--- stderr:\n${daemon?.stderr().slice(-2000)}`;
  const waitSyslog = async (pattern: RegExp, timeoutMs = 3000, from = 0): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = syslog()
        .slice(from)
        .find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no syslog line ${pattern}${failureContext()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const applies = () => syslog().filter((l) => / op25b: enforcing: /.test(l)).length;
  const expectDevices = async (devices: string[], timeoutMs = 3000) => {
    try {
      return await waitForDevices(bed!, setting, devices, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}${failureContext()}`);
    }
  };
  /** Probes since `mark`: none may reach foreign:25; the relay must answer through the WAN. */
  const expectBlockHeld = async (mark: number, what: string) => {
    const deadline = Date.now() + 5000;
    let since: ProbeRecord[] = [];
    for (;;) {
      since = prober!.records().slice(mark);
      const relayOk = since.some(
        (r) => r.host === RELAY_25.host && r.port === 25 && r.result === 'connected',
      );
      const foreignTried = since.filter((r) => r.port === 25 && r.host !== RELAY_25.host).length;
      if (relayOk && foreignTried >= 4) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const through = since.filter(
      (r) => r.port === 25 && r.host !== RELAY_25.host && r.result === 'connected',
    );
    assert.equal(through, [], `${what}: port 25 of the foreign host was reached`);
    assert.ok(
      since.some((r) => r.host === RELAY_25.host && r.port === 25 && r.result === 'connected'),
      `${what}: the relay did not answer: ${JSON.stringify(since.slice(-8))}`,
    );
    assert.ok(
      since.some((r) => r.port === 25 && r.host !== RELAY_25.host && r.result === 'refused'),
      `${what}: no rejected attempt seen`,
    );
  };

  test.before(async () => {
    try {
      checkAgentBuilt();
      bed = await createTestbed();
      await bed.installBaseline(setting);
      standins = createStandinDir();
      files = agentFiles();
      standins.answer('system', 'board', BOARD);
      standins.setInterface('lan', {
        up: true,
        proto: 'static',
        device: 'lan1',
        l3_device: 'lan1',
      });
      standins.setInterface('wan', pppoe(false));
      standins.setInterface('wan6', {
        up: true,
        proto: 'dhcpv6',
        device: 'wan',
        l3_device: 'wan',
        'ipv6-address': [{ address: PLAN.wan.router.ipv6, mask: 64 }],
      });
      session = new WanLink(bed, 'pppoe-wan', 0);
      wwan = new WanLink(bed, 'wwan0', 1);
    } catch (error) {
      setupError = error;
    }
  });

  test.after(async () => {
    await prober?.stop().catch(() => {});
    await daemon?.stop().catch(() => {});
    await bed?.destroy().catch(() => {});
    standins?.remove();
    files?.remove();
  });

  test('at start the rules hold the devices of wan and wan6, pppoe-wan before it first exists', async () => {
    const { bed: b, standins: s, files: f } = ready();
    configPath = f.config(
      {
        enabled: true,
        action: 'reject',
        ports: [25],
        allow: [PLAN.wan.relay.ipv4, PLAN.wan.relay.ipv6],
        backend: setting.backend,
        ...(setting.iptablesVariant ? { iptablesVariant: setting.iptablesVariant } : {}),
      },
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
    daemon = startDaemon(b, s, configPath);
    await expectDevices(['pppoe-wan', 'wan'], 5000);
    await s.waitForListeners(1);
    await waitSyslog(/daemon\.warning op25b: WAN interface not known to netifd: wwan$/);
    await waitSyslog(
      /daemon\.info op25b: WAN: wan pppoe down; wan6 dhcpv6 up wan 2001:db8:ff::1\/64$/,
    );
    assert.is(daemon.stderr(), '', 'everything went to syslog');
    const children = daemon.children().map(commandOf);
    assert.ok(
      children.some((c) => /\bubus(\.cjs)? listen network\.interface op25b\.alive$/.test(c)),
      children.join('; '),
    );
    assert.not.ok(
      children.some((c) => /^(\S*\/)?sh -c /.test(c)),
      `no shell around a helper: ${children.join('; ')}`,
    );
    prober = startProber(b, 'lan1', [...FOREIGN_25, RELAY_25, FOREIGN_587]);
    await expectBlockHeld(0, 'at start');
  });

  test('PPPoE comes up: traffic leaves through pppoe-wan, port 25 stays blocked, no new apply', async () => {
    const { standins: s } = ready();
    const before = applies();
    const mark = prober!.mark();
    await session!.create();
    await session!.route();
    assert.is(await session!.egress('ipv4'), 'pppoe-wan');
    assert.is(await session!.egress('ipv6'), 'pppoe-wan');
    s.setInterface('wan', pppoe(true));
    s.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await waitSyslog(/op25b: WAN: wan pppoe up pppoe-wan 203\.0\.113\.200\/32; wan6/);
    await expectBlockHeld(mark, 'PPPoE up');
    assert.equal(await kernelDevices(bed!, setting), ['pppoe-wan', 'wan']);
    assert.is(applies(), before, 'the device was blocked already: nothing to apply');
  });

  test('ifdown keeps pppoe-wan blocked; the reconnect is blocked from its first packet', async () => {
    const { standins: s } = ready();
    const from = syslog().length;
    s.setInterface('wan', pppoe(false));
    s.emit('network.interface', { action: 'ifdown', interface: 'wan' });
    await session!.destroy();
    await waitSyslog(/op25b: WAN: wan pppoe down; wan6/, 3000, from);
    assert.equal(await kernelDevices(bed!, setting), ['pppoe-wan', 'wan']);
    // The new session's traffic flows before netifd reports it: already blocked.
    const mark = prober!.mark();
    await session!.create();
    await session!.route();
    await expectBlockHeld(mark, 'reconnect before ifup');
    s.setInterface('wan', pppoe(true, 'pppoe-wan', '203.0.113.200'));
    s.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await waitSyslog(/op25b: WAN: wan pppoe up pppoe-wan/, 3000, from);
    assert.equal(await kernelDevices(bed!, setting), ['pppoe-wan', 'wan']);
  });

  test('ifupdate with new addresses: logged, the rules stay as they are', async () => {
    const { standins: s } = ready();
    const before = applies();
    const mark = prober!.mark();
    s.setInterface('wan', pppoe(true, 'pppoe-wan', '203.0.113.210'));
    s.emit('network.interface', { action: 'ifupdate', interface: 'wan' });
    await waitSyslog(/op25b: WAN: wan pppoe up pppoe-wan 203\.0\.113\.210\/32/);
    await waitSyslog(/daemon\.debug op25b: ubus: wan ifupdate$/);
    assert.equal(await kernelDevices(bed!, setting), ['pppoe-wan', 'wan']);
    assert.is(applies(), before);
    await expectBlockHeld(mark, 'ifupdate');
  });

  test('a new WAN device (wwan0) is in the rules within a second, in one apply', async () => {
    const { standins: s } = ready();
    await wwan!.create();
    const before = applies();
    s.setInterface('wwan', {
      up: true,
      proto: 'qmi',
      l3_device: 'wwan0',
      'ipv4-address': [{ address: wwan!.routerV4, mask: 32 }],
    });
    s.emit('network.interface', { action: 'ifup', interface: 'wwan' });
    const ms = await expectDevices(['pppoe-wan', 'wan', 'wwan0'], 2000);
    assert.ok(ms < 1000, `the rules followed after ${Math.round(ms)} ms`);
    await waitSyslog(/op25b: enforcing: .* leaving pppoe-wan,wan,wwan0;/);
    assert.is(applies(), before + 1, 'one apply for the new device');
    const mark = prober!.mark();
    await wwan!.route();
    assert.is(await wwan!.egress('ipv4'), 'wwan0');
    await expectBlockHeld(mark, 'through wwan0');
  });

  test('wwan goes down: wwan0 stays in the rules; traffic through it again is blocked at once', async () => {
    const { standins: s } = ready();
    s.setInterface('wwan', { up: false, proto: 'qmi' });
    s.emit('network.interface', { action: 'ifdown', interface: 'wwan' });
    await wwan!.destroy();
    await waitSyslog(/op25b: WAN: wan pppoe up .*; wwan qmi down$/);
    assert.equal(await kernelDevices(bed!, setting), ['pppoe-wan', 'wan', 'wwan0']);
    const mark = prober!.mark();
    await wwan!.create();
    await wwan!.route();
    await expectBlockHeld(mark, 'wwan0 back without an event');
  });

  test('ubusd restarts under the daemon: it notices, catches up, and follows the next change', async () => {
    const { standins: s } = ready();
    // While ubusd keeps its socket the daemon starts no `ubus send` (#10: it did one per interval).
    const events = join(s.path, 'ubus', 'events');
    const alive = () =>
      (existsSync(events) ? readFileSync(events, 'utf8') : '')
        .split('\n')
        .filter((l) => l.includes('"op25b.alive"')).length;
    const quiet = alive();
    await new Promise((r) => setTimeout(r, 4500));
    assert.is(alive(), quiet, 'an idle daemon sent itself ubus events');
    let from = syslog().length;
    // A quick restart (procd respawns ubusd): the old listener stays, deaf, and says nothing.
    s.restartDaemon();
    await waitSyslog(/daemon\.warning op25b: ubusd restarted \(a new socket\)/, 15000, from);
    await s.waitForListeners(1);
    s.setInterface('wan', pppoe(true, 'pppoe-wan3'));
    s.emit('network.interface', { action: 'ifup', interface: 'wan' });
    await expectDevices(['pppoe-wan', 'pppoe-wan3', 'wan', 'wwan0'], 5000);
    await waitSyslog(/daemon\.info op25b: ubus listen hears events again$/, 15000, from);
    // ubusd down for a while: the session comes back on another device; no event reaches us.
    from = syslog().length;
    s.setDaemonDown(true);
    await waitSyslog(
      /daemon\.warning op25b: ubus unreachable \(.*\); WAN devices kept/,
      15000,
      from,
    );
    s.setInterface('wan', pppoe(true, 'pppoe-wan2'));
    s.setDaemonDown(false);
    await expectDevices(['pppoe-wan', 'pppoe-wan2', 'pppoe-wan3', 'wan', 'wwan0'], 15000);
    await waitSyslog(/daemon\.info op25b: ubus listen hears events again$/, 15000, from);
    const warnings = syslog()
      .slice(from)
      .filter((l) => /daemon\.warning op25b: ubus/.test(l));
    assert.is(warnings.length, 1, `one warning for the outage: ${warnings.join('; ')}`);
    await s.waitForListeners(1);
  });

  test('a one-shot apply adds a device the daemon missed: the daemon keeps it', async () => {
    const { bed: b, standins: s } = ready();
    const from = syslog().length;
    // netifd moved the session to a new device, but no event came (as with a deaf listener).
    s.setInterface('wan', pppoe(true, 'pppoe-wan4'));
    const apply = await runAgent(b, s, ['apply', '--config', configPath]);
    assert.is(apply.code, 0, apply.stderr);
    const all = ['pppoe-wan', 'pppoe-wan2', 'pppoe-wan3', 'pppoe-wan4', 'wan', 'wwan0'];
    assert.equal(await kernelDevices(b, setting), all);
    await waitSyslog(/op25b: WAN devices added by another command: pppoe-wan4$/, 8000, from);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await kernelDevices(b, setting), all, 'the daemon took a device out');
    assert.equal(
      syslog()
        .slice(from)
        .filter((l) => /rules changed behind/.test(l)),
      [],
    );
  });

  test('SIGHUP resynchronises even when the config did not change', async () => {
    const { standins: s } = ready();
    s.setInterface('wan', pppoe(true, 'pppoe-wan5'));
    daemon!.signal('SIGHUP');
    await expectDevices(
      ['pppoe-wan', 'pppoe-wan2', 'pppoe-wan3', 'pppoe-wan4', 'pppoe-wan5', 'wan', 'wwan0'],
      5000,
    );
  });

  test('the prober never reached port 25 of the foreign host', async () => {
    ready();
    const records = prober!.records();
    const foreign = records.filter((r) => r.port === 25 && r.host !== RELAY_25.host);
    assert.ok(foreign.length > 40, `only ${foreign.length} attempts`);
    assert.equal(
      foreign.filter((r) => r.result === 'connected'),
      [],
    );
    const submissions = records.filter((r) => r.port === 587 && r.result === 'connected');
    assert.ok(submissions.length > 5, 'port 587 stayed open');
  });

  test('the status names the router, its release and the WAN protocol', async () => {
    const { files: f } = ready();
    const path = join(f.runDir, 'status.json');
    const deadline = Date.now() + 3000;
    let status: { device: Record<string, unknown>; policy: { wan_devices: string[] } } | null =
      null;
    while (Date.now() < deadline) {
      if (existsSync(path)) {
        status = JSON.parse(readFileSync(path, 'utf8'));
        if (status!.policy.wan_devices.includes('pppoe-wan5')) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status?.device, {
      id: 'cpe-openwrt',
      model: 'Test Router',
      board: 'test,router',
      release: 'OpenWrt 24.10.0 r28427-6df0e3d02a',
      wan_proto: 'pppoe',
    });
    assert.equal(status?.policy.wan_devices, [
      'pppoe-wan',
      'pppoe-wan2',
      'pppoe-wan3',
      'pppoe-wan4',
      'pppoe-wan5',
      'wan',
      'wwan0',
    ]);
  });

  test('SIGHUP with another wan_interface list forgets the devices seen before', async () => {
    const { files: f } = ready();
    f.config(
      {
        enabled: true,
        action: 'reject',
        ports: [25],
        allow: [PLAN.wan.relay.ipv4, PLAN.wan.relay.ipv6],
        backend: setting.backend,
        ...(setting.iptablesVariant ? { iptablesVariant: setting.iptablesVariant } : {}),
      },
      { log_target: 'syslog', log_level: 'debug' },
      ["list wan_interface 'wan'"],
      configPath,
    );
    await wwan!.destroy();
    daemon!.signal('SIGHUP');
    await expectDevices(['pppoe-wan', 'pppoe-wan5', 'wan'], 3000);
    await waitSyslog(/op25b: config reloaded$/);
  });

  test('SIGTERM: exit 0, the rules stay, the last line reaches syslog, no child left', async () => {
    ready();
    const children = daemon!.children();
    assert.is(await daemon!.stop(), 0);
    await waitSyslog(/daemon\.info op25b: stopped; the rules stay in place$/, 1000);
    assert.equal(await kernelDevices(bed!, setting), ['pppoe-wan', 'pppoe-wan5', 'wan']);
    await new Promise((r) => setTimeout(r, 200));
    const left = children.map(commandOf).filter((c) => /ubus|logger/.test(c));
    assert.equal(left, [], 'ubus listen and the loggers end with the daemon');
    assert.equal(standins!.listeners(), [], 'no ubus listen process left');
  });

  test.run();
}

wanSuite(BACKENDS.nftables);
wanSuite(BACKENDS.iptablesLegacy);
