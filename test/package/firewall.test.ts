// The packaged firewall include and rpcd plugin on a real kernel, in the test bed's router
// namespace: the include sourced the way fw4 and fw3 source it, after a simulated `fw4 flush`
// (nft flush ruleset) or fw3 flush (iptables -F/-X), must bring the block back; the plugin's
// status and reapply must report and repair. The agent is the packaged one: the wrapper and the
// bundle from the unpacked .ipk under dist/qjs, with the shipped config plus the test's relays.
// Needs root.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BACKENDS,
  createTestbed,
  FW4_BASELINE,
  PLAN,
  spawnIn,
  type NodeName,
  type ProbeResult,
  type Testbed,
} from '../testbed/index.ts';
import { agentPath, packaged, run, scratch, shippedConfigWith, type AgentPath } from './support.ts';

const test = suite('package: firewall include and rpcd plugin (real kernel)');

let bed: Testbed | null = null;
const theBed = (): Testbed => {
  if (!bed) throw new Error('test bed not built');
  return bed;
};

test.before(async () => {
  bed = await createTestbed();
});

test.after(async () => {
  const built = bed;
  bed = null;
  await built?.destroy();
});

const RELAYS = [`list allow '${PLAN.wan.relay.ipv4}'`, `list allow '${PLAN.wan.relay.ipv6}'`];

/** netifd's view, as the ubus stand-in answers it: wan and wan6 both leave through `wan`. */
function standinDir(): string {
  const dir = scratch('standin');
  mkdirSync(join(dir, 'ubus'));
  const status = (proto: string) =>
    JSON.stringify({
      up: true,
      pending: false,
      available: true,
      proto,
      device: 'wan',
      l3_device: 'wan',
    });
  writeFileSync(join(dir, 'ubus', 'network.interface.wan~status.json'), status('static'));
  writeFileSync(join(dir, 'ubus', 'network.interface.wan6~status.json'), status('static'));
  return dir;
}

function setup(policyLines: readonly string[], fw4: boolean): AgentPath & { standin: string } {
  const standin = standinDir();
  const config = join(standin, 'op25b');
  // The shipped agent section, but state and run files in the test's directory, and a device id
  // (the router namespace has no eth0 to take a MAC address from).
  const text = shippedConfigWith(policyLines)
    .replace("option state_dir '/etc/op25b'", `option state_dir '${join(standin, 'state')}'`)
    .replace("option run_dir '/var/run/op25b'", `option run_dir '${join(standin, 'run')}'`)
    .replace("#option device_id 'cpe-0001'", "option device_id 'cpe-test'");
  writeFileSync(config, text);
  return { ...agentPath({ config, standinDir: standin, fw4 }), standin };
}

/** A command in the router namespace with exactly this environment. */
function inRouter(path: AgentPath, argv: readonly string[], input = '') {
  const env = Object.entries(path.env).map(([k, v]) => `${k}=${v}`);
  return run(['ip', 'netns', 'exec', theBed().ns.router, 'env', '-i', ...env, ...argv], {
    input,
    timeoutMs: 40_000,
  });
}

const INCLUDE = () => join(packaged().root, 'usr/share/op25b/firewall.include');
/** OpenWrt's /bin/sh is BusyBox ash; use it where this machine has it. */
const SH = run(['sh', '-c', 'command -v busybox']).code === 0 ? ['busybox', 'sh'] : ['sh'];
const UCI_GUARD = 'config() { echo "You cannot use UCI in firewall includes!" >&2; exit 1; }';

/** fw4's run_includes(): sh -c with fd 1000 (its lock) closed, config() defined, then `. path`. */
function fw4Include(path: AgentPath) {
  return inRouter(path, [...SH, '-c', `exec 1000>&-; ${UCI_GUARD}; . '${INCLUDE()}'`]);
}

/** fw3's run_include(): system("config() {...}; . <path>"). */
function fw3Include(path: AgentPath) {
  return inRouter(path, [...SH, '-c', `${UCI_GUARD}; . ${INCLUDE()}`]);
}

function syslog(path: AgentPath & { standin: string }): string {
  try {
    return readFileSync(join(path.standin, 'syslog'), 'utf8');
  } catch {
    return '';
  }
}

interface Row {
  readonly from: NodeName;
  readonly host: string;
  readonly port: number;
  readonly expect: ProbeResult;
}

/** Port 25 to a foreign server is refused (reject) from a LAN and from the router; the relay
 * and submission stay reachable. With `blocked` false, everything connects. */
async function expectBlock(blocked: boolean): Promise<void> {
  const rows: Row[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const stop: ProbeResult = blocked ? 'refused' : 'connected';
    rows.push(
      { from: 'lan1', host: PLAN.wan.foreign[family], port: 25, expect: stop },
      { from: 'router', host: PLAN.wan.foreign[family], port: 25, expect: stop },
      { from: 'lan1', host: PLAN.wan.relay[family], port: 25, expect: 'connected' },
      { from: 'lan1', host: PLAN.wan.foreign[family], port: 587, expect: 'connected' },
    );
  }
  const outcomes = await theBed().probeAll(rows);
  const wrong = rows
    .map((row, i) => ({ row, got: outcomes[i]!.result }))
    .filter(({ row, got }) => row.expect !== got)
    .map(
      ({ row, got }) => `${row.from} -> ${row.host}:${row.port}: ${got}, expected ${row.expect}`,
    );
  assert.equal(wrong, [], wrong.join('\n'));
}

async function nft(args: readonly string[]) {
  return theBed().exec('router', ['nft', ...args]);
}

test('fw4: the include applies the block, is idempotent, and brings it back after fw4 flush', async () => {
  const bed = theBed();
  await bed.installBaseline(BACKENDS.nftables);
  const path = setup(RELAYS, true);

  const first = fw4Include(path);
  assert.is(first.code, 0, first.stderr + first.stdout);
  assert.is(first.stdout + first.stderr, '', 'quiet: what it says goes to syslog');
  assert.match(
    syslog(path),
    /^daemon\.info op25b: firewall include: applied \(nftables\): block on/m,
  );
  assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 0);
  await expectBlock(true);

  const again = fw4Include(path);
  assert.is(again.code, 0, again.stderr);
  assert.match(syslog(path), /firewall include: already in place \(nftables\)/);

  // /etc/init.d/firewall stop: `fw4 flush` deletes every table, ours too. The port is open.
  assert.is((await nft(['flush', 'ruleset'])).code, 0);
  assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 1);
  await expectBlock(false);

  // /etc/init.d/firewall start: fw4 loads its ruleset, then runs the includes.
  await bed.execOk('router', ['nft', '-f', '-'], { stdin: FW4_BASELINE });
  const back = fw4Include(path);
  assert.is(back.code, 0, back.stderr);
  assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 0);
  await expectBlock(true);
});

test('fw4: a broken config makes the include fail, and says why in syslog', async () => {
  await theBed().installBaseline(BACKENDS.nftables);
  const path = setup(["option action 'maybe'"], true);
  const out = fw4Include(path);
  assert.is(out.code, 2);
  assert.match(
    syslog(path),
    /^daemon\.err op25b: firewall include: op25b: error: invalid policy\.action "maybe"/m,
  );
});

test('fw3: the include applies the block and brings it back after fw3 flush', async () => {
  const bed = theBed();
  await bed.installBaseline(BACKENDS.iptablesLegacy);
  const path = setup(
    [...RELAYS, "option backend 'iptables'", "option iptables_variant 'legacy'"],
    false,
  );
  const forwardHead = async () =>
    (await bed.execOk('router', ['iptables-legacy', '-S', 'FORWARD'])).split('\n')[1];

  const first = fw3Include(path);
  assert.is(first.code, 0, first.stderr + first.stdout);
  assert.match(syslog(path), /firewall include: applied \(iptables\)/);
  assert.is(await forwardHead(), '-A FORWARD -j OP25B');
  await expectBlock(true);

  // fw3 flush (/etc/init.d/firewall stop, and the first half of restart): every rule and every
  // user chain goes, policies ACCEPT.
  for (const tool of ['iptables-legacy', 'ip6tables-legacy']) {
    await bed.execOk('router', [tool, '-F']);
    await bed.execOk('router', [tool, '-X']);
  }
  await expectBlock(false);

  await bed.installBaseline(BACKENDS.iptablesLegacy); // fw3 start: its own rules...
  const back = fw3Include(path); // ...then the includes
  assert.is(back.code, 0, back.stderr);
  assert.is(await forwardHead(), '-A FORWARD -j OP25B');
  await expectBlock(true);
});

/** rpcd: `<plugin> call <method>` with the arguments as compact JSON, no newline, then EOF. */
function rpcdCall(path: AgentPath, method: string): Record<string, unknown> {
  const out = inRouter(
    path,
    [join(packaged().root, 'usr/libexec/rpcd/op25b'), 'call', method],
    '{}',
  );
  assert.is(out.code, 0, out.stderr);
  const value = JSON.parse(out.stdout) as unknown;
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), out.stdout);
  return value as Record<string, unknown>;
}

interface StatusShape {
  policy: { enabled: boolean; wan_devices: string[]; allow: string[]; action: string };
  enforcement: { applied: boolean; backend: string; drift: string[] };
  counters: { blocked_packets: number; top_sources: unknown[] };
  agent: { daemon: boolean };
}

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

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('daemon: the init script command line runs, repairs a flush, serves its live status', async () => {
  const bed = theBed();
  await bed.installBaseline(BACKENDS.nftables);
  const path = setup(RELAYS, true);
  // What procd runs: the command of start_service, in the router, on the test's PATH.
  const env = Object.entries(path.env).map(([k, v]) => `${k}=${v}`);
  const daemon = spawnIn(bed.ns.router, ['env', '-i', ...env, 'op25b', 'run']);
  // The shipped config logs for procd: info on stdout, warnings and errors on stderr.
  let stdout = '';
  let stderr = '';
  daemon.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  daemon.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    daemon.on('exit', (code) => resolve(code)),
  );
  try {
    await until('the daemon to enforce', async () => /enforcing: block on/.test(stdout));
    assert.match(stdout, /^info: enforcing: block on \(config\): reject/m);
    assert.not.match(syslog(path), /enforcing/, 'no logger process: procd takes the output');
    await expectBlock(true);

    // fw4 flush behind its back: nft monitor tells it, it puts the table back.
    await bed.execOk('router', ['nft', 'flush', 'ruleset']);
    await until(
      'the repair',
      async () => (await nft(['list', 'table', 'inet', 'op25b'])).code === 0,
    );
    await expectBlock(true);

    await until('the live status to show the repair', () => {
      const live = rpcdCall(path, 'status') as unknown as StatusShape & {
        enforcement: { repairs: number };
      };
      return live.agent.daemon && live.enforcement.repairs >= 1 && live.enforcement.applied;
    });

    daemon.kill('SIGHUP');
    await until('the reload', () => /config reloaded/.test(stdout));
    daemon.kill('SIGTERM');
    assert.is(await exited, 0, stderr);
    assert.match(stdout, /info: stopped; the rules stay in place\n$/);
    assert.is((await nft(['list', 'table', 'inet', 'op25b'])).code, 0, 'the rules stay');
    assert.not.ok(
      (rpcdCall(path, 'status') as unknown as StatusShape).agent.daemon,
      'no live status once it stopped',
    );
  } finally {
    daemon.kill('SIGKILL');
  }
});

test.run();
