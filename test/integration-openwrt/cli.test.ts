// The one-shot commands and the daemon's start in the router namespace, with the stand-ins on
// PATH (WAN devices and device facts from ubus) and without them (nothing changes: the config's
// wan_device list alone, no ubus child, the status without device facts).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, checkAgentBuilt, type PolicyConfig } from '../testbed/agent.ts';
import type { ExecResult } from '../testbed/exec.ts';
import { PLAN } from '../testbed/plan.ts';
import { createTestbed, type Testbed } from '../testbed/testbed.ts';
import { createStandinDir, type StandinDir } from '../openwrt-standins/standin-dir.ts';
import {
  agentFiles,
  commandOf,
  kernelDevices,
  runAgent,
  startDaemon,
  type AgentFiles,
} from './rig.ts';

const test = suite('openwrt: one-shot commands and the daemon, with and without ubus');
const setting = BACKENDS.nftables;
let bed: Testbed | null = null;
let standins: StandinDir | null = null;
let files: AgentFiles | null = null;
let setupError: unknown = null;

const POLICY: PolicyConfig = {
  enabled: true,
  action: 'reject',
  ports: [25],
  allow: [PLAN.wan.relay.ipv4],
  backend: 'nftables',
};

function ready() {
  if (setupError) throw setupError;
  return { bed: bed!, standins: standins!, files: files! };
}

function expectExit(result: ExecResult, code: number, what: string): void {
  assert.ok(
    result.code === code,
    `${what}: exit ${result.code}, expected ${code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  );
}

test.before(async () => {
  try {
    checkAgentBuilt();
    bed = await createTestbed();
    await bed.installBaseline(setting);
    standins = createStandinDir();
    files = agentFiles();
    standins.answer('system', 'board', {
      model: 'Test Router',
      board_name: 'test,router',
      release: { distribution: 'OpenWrt', version: '23.05.5', revision: 'r24106-10cc5fcd00' },
    });
    standins.setInterface('wan', {
      up: true,
      proto: 'pppoe',
      device: 'wan',
      l3_device: 'pppoe-wan',
    });
    standins.setInterface('wan6', { up: false, proto: 'dhcpv6', device: 'wan' });
  } catch (error) {
    setupError = error;
  }
});

test.after(async () => {
  await bed?.destroy().catch(() => {});
  standins?.remove();
  files?.remove();
});

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

test('the daemon without ubus: no ubus child, the status without device facts, log on stderr', async () => {
  const { bed: b, files: f } = ready();
  const config = f.config(
    { ...POLICY, wanDevices: ['wan'] },
    { run_dir: join(f.dir, 'run-plain') },
  );
  const daemon = startDaemon(b, null, config);
  try {
    const status = join(f.dir, 'run-plain', 'status.json');
    const deadline = Date.now() + 5000;
    while (!existsSync(status) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const document = JSON.parse(readFileSync(status, 'utf8'));
    assert.equal(document.device, { id: 'cpe-openwrt' });
    assert.equal(document.policy.wan_devices, ['wan']);
    assert.not.ok(
      daemon
        .children()
        .map(commandOf)
        .some((c) => /ubus/.test(c)),
    );
    assert.match(daemon.stderr(), /^op25b: info: enforcing: block on \(config\)/m);
  } finally {
    assert.is(await daemon.stop(), 0);
  }
  assert.match(daemon.stderr(), /op25b: info: stopped; the rules stay in place\n$/);
});

test('log_target procd: no logger child although logger exists; info on stdout, warnings on stderr', async () => {
  const { bed: b, standins: s, files: f } = ready();
  const config = f.config(
    { ...POLICY, wanDevices: ['wan'] },
    { run_dir: join(f.dir, 'run-procd'), log_target: 'procd' },
  );
  const daemon = startDaemon(b, s, config);
  try {
    const deadline = Date.now() + 5000;
    while (!/info: enforcing: /.test(daemon.stdout()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.match(daemon.stdout(), /^info: enforcing: block on \(config\)/m);
    // Children seen while they start may still show the parent's command line: wait for the
    // helpers, then look. (The ubus stand-in is a sh script: a wrapper shows as `sh -c`.)
    let children: string[] = [];
    while (Date.now() < deadline) {
      children = daemon.children().map(commandOf);
      if (
        ['listen network.interface', 'nft monitor'].every((h) =>
          children.some((c) => c.includes(h)),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(
      children.some((c) => / listen network\.interface( |$)/.test(c)),
      children.join('; '),
    );
    assert.not.ok(
      children.some((c) => /\blogger\b|^(\S*\/)?sh -c /.test(c)),
      `no logger and no shell: ${children.join('; ')}`,
    );
    for (const line of daemon.stderr().split('\n').filter(Boolean))
      assert.match(line, /^(warn|error): /);
  } finally {
    const code = await daemon.stop();
    assert.is(code, 0, `stdout: ${daemon.stdout()}\nstderr: ${daemon.stderr()}`);
  }
  assert.match(daemon.stdout(), /info: stopped; the rules stay in place\n$/);
});

/** Starts the daemon on `config` (the stand-ins on PATH) and returns its first status document. */
async function firstStatus(config: string, runDir: string, until: (doc: any) => boolean) {
  const { bed: b, standins: s } = ready();
  const daemon = startDaemon(b, s, config);
  const path = join(runDir, 'status.json');
  const deadline = Date.now() + 8000;
  let document: any = null;
  try {
    while (Date.now() < deadline) {
      if (existsSync(path)) {
        document = JSON.parse(readFileSync(path, 'utf8'));
        if (until(document)) break;
      }
      if (!daemon.running()) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(daemon.running(), `the daemon exited:\n${daemon.stderr()}`);
  } finally {
    await daemon.stop();
  }
  return { document, stderr: daemon.stderr() };
}

test('no device id anywhere (no eth0, no label MAC): enforcing all the same', async () => {
  const { files: f } = ready();
  const runDir = join(f.dir, 'run-noid');
  const offline = f.config({ ...POLICY, wanDevices: ['wan'] }, { device_id: '', run_dir: runDir });
  const alone = await firstStatus(offline, runDir, (d) => d.enforcement.applied);
  assert.is(alone.document?.enforcement.applied, true, alone.stderr);
  assert.is(alone.document.device.id, null);
  // With a broker: still enforcing, and the status and the log say why there is no link.
  const linked = f.config({ ...POLICY, wanDevices: ['wan'] }, { device_id: '', run_dir: runDir });
  appendFileSync(linked, "\nconfig mqtt 'mqtt'\n\toption broker 'mqtt://127.0.0.1:1'\n");
  const waiting = await firstStatus(linked, runDir, (d) => d.last_error !== null);
  assert.is(waiting.document?.enforcement.applied, true, waiting.stderr);
  assert.is(waiting.document.last_error?.code, 'no_device_id');
  assert.match(waiting.stderr, /op25b: error: cannot derive a device id .* retrying in 60 s/);
});

test('the broker cannot be reached: status.last_error has the transport error while it lasts', async () => {
  const { files: f } = ready();
  const runDir = join(f.dir, 'run-refused');
  const config = f.config({ ...POLICY, wanDevices: ['wan'] }, { run_dir: runDir });
  appendFileSync(
    config,
    "\nconfig mqtt 'mqtt'\n\toption broker 'mqtt://127.0.0.1:1'\n\toption startup_delay '0'\n",
  );
  const { document, stderr } = await firstStatus(config, runDir, (d) => d.last_error !== null);
  assert.is(document?.last_error?.code, 'broker_unreachable', stderr);
  assert.match(document.last_error.message, /^mqtt:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
});

test.run();
