// The packaged agent in the test bed's router namespace, for the firewall, rpcd and daemon tests:
// the bed (one per suite), the shipped config with the test's lines and netifd's view from the
// ubus stand-in, the include run as fw4 and fw3 run it, syslog, and the block checked by probes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createTestbed,
  PLAN,
  type NodeName,
  type ProbeResult,
  type Testbed,
} from '../testbed/index.ts';
import { agentPath, packaged, run, scratch, shippedConfigWith, type AgentPath } from './support.ts';

let bed: Testbed | null = null;
export const theBed = (): Testbed => {
  if (!bed) throw new Error('test bed not built');
  return bed;
};

/** Builds the bed before `test`'s first test and destroys it after its last. */
export function routerBed(test: Test): void {
  test.before(async () => {
    bed = await createTestbed();
  });

  test.after(async () => {
    const built = bed;
    bed = null;
    await built?.destroy();
  });
}

export const RELAYS = [
  `list allow '${PLAN.wan.relay.ipv4}'`,
  `list allow '${PLAN.wan.relay.ipv6}'`,
];

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

export function setup(
  policyLines: readonly string[],
  fw4: boolean,
): AgentPath & { standin: string } {
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
export function inRouter(path: AgentPath, argv: readonly string[], input = '') {
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
export function fw4Include(path: AgentPath) {
  return inRouter(path, [...SH, '-c', `exec 1000>&-; ${UCI_GUARD}; . '${INCLUDE()}'`]);
}

/** fw3's run_include(): system("config() {...}; . <path>"). */
export function fw3Include(path: AgentPath) {
  return inRouter(path, [...SH, '-c', `${UCI_GUARD}; . ${INCLUDE()}`]);
}

export function syslog(path: AgentPath & { standin: string }): string {
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
export async function expectBlock(blocked: boolean): Promise<void> {
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

export async function nft(args: readonly string[]) {
  return theBed().exec('router', ['nft', ...args]);
}
