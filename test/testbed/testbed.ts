// The real-kernel test bed: four network namespaces wired as a router with two LAN segments and
// a WAN link, with mail listeners on the WAN side and on the second LAN.
//
//   lan1 host ──eth0── lan1 ┐                 ┌ wan ──eth0── wan host: link, relay and foreign
//                           ├─ router (fwd) ──┤               addresses; :25 :587 :465
//   lan2 host ──eth0── lan2 ┘                 └
//   (lan2 host listens on :25)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentRunner, type AgentRunner, type BackendSetting } from './agent.ts';
import { listConntrack, type ConntrackEntry } from './conntrack.ts';
import { exec, execOk, type ExecOptions, type ExecResult } from './exec.ts';
import { holdConnection, type HeldConnection } from './hold.ts';
import { startListener, type Listener } from './listeners.ts';
import { createNamespaces, destroyNamespaces, uniquePrefix } from './namespaces.ts';
import {
  HOST_DEVICE,
  IP_FAMILIES,
  LAN2_PORTS,
  NODE_NAMES,
  PLAN,
  PREFIX_LENGTH,
  ROUTER_DEVICES,
  WAN_PORTS,
  type IpFamily,
  type NodeName,
} from './plan.ts';
import { PROBE_TIMEOUT_MS, probeMany, type ProbeOutcome } from './probe.ts';
import { installBaseline, snapshotRuleset, type RulesetSnapshot } from './ruleset.ts';

const TENTATIVE_WAIT_MS = 3000;

/** One probe of a batch: from a namespace to host:port. */
export interface ProbeSpec {
  readonly from: NodeName;
  readonly host: string;
  readonly port: number;
}

export interface Testbed {
  readonly prefix: string;
  /** Namespace name of each node. */
  readonly ns: Readonly<Record<NodeName, string>>;
  readonly listeners: readonly Listener[];
  /** Milliseconds the setup took. */
  readonly setupMs: number;
  /** The agent, run inside the router namespace. */
  readonly agent: AgentRunner;
  exec(node: NodeName, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  execOk(node: NodeName, argv: readonly string[], options?: ExecOptions): Promise<string>;
  /** Runs the probes, in parallel (one process per source namespace); results in order. */
  probeAll(specs: readonly ProbeSpec[], timeoutMs?: number): Promise<ProbeOutcome[]>;
  /** Holds a TCP connection open from a node. */
  hold(from: NodeName, host: string, port: number): Promise<HeldConnection>;
  /** The router's whole ruleset, comparable. */
  snapshot(): Promise<RulesetSnapshot>;
  /** Resets the router's firewall to the baseline of this backend (fw4 or fw3 stand-in). */
  installBaseline(setting: BackendSetting): Promise<void>;
  /** The router's conntrack entries of one family. */
  conntrack(family: IpFamily, dport?: number): Promise<ConntrackEntry[]>;
  /** Kills every process in the namespaces and deletes them. Safe to call twice. */
  destroy(): Promise<void>;
}

const configDirs = new Set<string>();
process.on('exit', () => {
  for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
});

function sysctls(node: NodeName): string[] {
  // DAD off before any veth exists: addresses are usable at once, never "tentative".
  const settings = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];
  if (node === 'router') settings.push('net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
  return ['sysctl', '-q', '-w', ...settings];
}

function address(family: IpFamily, host: string, kind: 'lan' | 'wan'): string {
  return `${host}/${PREFIX_LENGTH[kind][family]}`;
}

/** `ip -batch` lines for each namespace. The router's lines create the veth pairs. */
function ipBatches(ns: Record<NodeName, string>): Record<NodeName, string[]> {
  const router = ['link set lo up'];
  for (const lan of ['lan1', 'lan2'] as const)
    router.push(
      `link add ${ROUTER_DEVICES[lan]} type veth peer name ${HOST_DEVICE} netns ${ns[lan]}`,
    );
  router.push(`link add ${ROUTER_DEVICES.wan} type veth peer name ${HOST_DEVICE} netns ${ns.wan}`);
  for (const family of IP_FAMILIES) {
    router.push(`addr add ${address(family, PLAN.lan1.router[family], 'lan')} dev lan1`);
    router.push(`addr add ${address(family, PLAN.lan2.router[family], 'lan')} dev lan2`);
    router.push(`addr add ${address(family, PLAN.wan.router[family], 'wan')} dev wan`);
  }
  router.push('link set lan1 up', 'link set lan2 up', 'link set wan up');

  const lanHost = (lan: 'lan1' | 'lan2'): string[] => [
    'link set lo up',
    `link set ${HOST_DEVICE} up`,
    ...IP_FAMILIES.map(
      (f) => `addr add ${address(f, PLAN[lan].host[f], 'lan')} dev ${HOST_DEVICE}`,
    ),
    `route add 0.0.0.0/0 via ${PLAN[lan].router.ipv4} dev ${HOST_DEVICE}`,
    `route add ::/0 via ${PLAN[lan].router.ipv6} dev ${HOST_DEVICE}`,
  ];
  const wan = ['link set lo up', `link set ${HOST_DEVICE} up`];
  for (const family of IP_FAMILIES)
    for (const host of [PLAN.wan.link, PLAN.wan.relay, PLAN.wan.foreign])
      wan.push(`addr add ${address(family, host[family], 'wan')} dev ${HOST_DEVICE}`);
  // Only the WAN host needs routes back to the LANs; nothing is routed in the root namespace.
  wan.push(`route add 198.51.100.0/24 via ${PLAN.wan.router.ipv4} dev ${HOST_DEVICE}`);
  for (const lan of ['lan1', 'lan2'] as const)
    wan.push(`route add ${PLAN[lan].prefix.ipv6} via ${PLAN.wan.router.ipv6} dev ${HOST_DEVICE}`);
  return { router, lan1: lanHost('lan1'), lan2: lanHost('lan2'), wan };
}

async function waitNotTentative(ns: string): Promise<void> {
  const deadline = performance.now() + TENTATIVE_WAIT_MS;
  for (;;) {
    const out = await execOk(null, ['ip', '-n', ns, '-6', 'addr', 'show', 'tentative']);
    if (out.trim() === '') return;
    if (performance.now() > deadline) throw new Error(`${ns}: addresses still tentative:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Builds a test bed. On any failure everything created so far is removed and the error thrown. */
export async function createTestbed(): Promise<Testbed> {
  const started = performance.now();
  const prefix = uniquePrefix();
  const ns = Object.fromEntries(NODE_NAMES.map((n) => [n, `${prefix}${n}`])) as Record<
    NodeName,
    string
  >;
  const names = NODE_NAMES.map((n) => ns[n]);
  const configDir = mkdtempSync(join(tmpdir(), prefix));
  configDirs.add(configDir);
  const listeners: Listener[] = [];

  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    for (const listener of listeners) listener.child.kill('SIGKILL');
    const errors = await destroyNamespaces(names);
    rmSync(configDir, { recursive: true, force: true });
    configDirs.delete(configDir);
    if (errors.length) throw new Error(errors.join('; '));
  };

  try {
    await createNamespaces(names);
    await Promise.all(NODE_NAMES.map((n) => execOk(ns[n], sysctls(n))));
    const batches = ipBatches(ns);
    const batch = (n: NodeName) =>
      execOk(null, ['ip', '-n', ns[n], '-batch', '-'], { stdin: `${batches[n].join('\n')}\n` });
    await batch('router');
    await Promise.all((['lan1', 'lan2', 'wan'] as const).map(batch));
    await Promise.all(names.map(waitNotTentative));
    listeners.push(
      ...(await Promise.all([
        startListener(ns.wan, WAN_PORTS),
        startListener(ns.lan2, LAN2_PORTS),
      ])),
    );
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }

  const probeAll = async (specs: readonly ProbeSpec[], timeoutMs = PROBE_TIMEOUT_MS) => {
    const byNode = new Map<NodeName, number[]>();
    specs.forEach((s, i) => byNode.set(s.from, [...(byNode.get(s.from) ?? []), i]));
    const results: ProbeOutcome[] = new Array(specs.length);
    await Promise.all(
      [...byNode].map(async ([node, indexes]) => {
        const outcomes = await probeMany(
          ns[node],
          indexes.map((i) => specs[i]!),
          timeoutMs,
        );
        indexes.forEach((specIndex, k) => (results[specIndex] = outcomes[k]!));
      }),
    );
    return results;
  };

  return {
    prefix,
    ns,
    listeners,
    setupMs: performance.now() - started,
    agent: agentRunner(ns.router, configDir),
    exec: (node, argv, options) => exec(ns[node], argv, options),
    execOk: (node, argv, options) => execOk(ns[node], argv, options),
    probeAll,
    hold: (from, host, port) => holdConnection(ns[from], host, port),
    snapshot: () => snapshotRuleset(ns.router),
    installBaseline: (setting) => installBaseline(ns.router, setting),
    conntrack: (family, dport) => listConntrack(ns.router, family, dport),
    destroy,
  };
}
