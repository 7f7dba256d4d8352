// What the OpenWrt integration tests share: the agent in the test bed's router namespace with
// the ubus/uci/logger stand-ins first on PATH, a WAN link that comes and goes like a PPPoE
// session, the devices the kernel rules name right now, and a prober that keeps connecting from
// a LAN host while the WAN changes.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AGENT_BUNDLE,
  QJS,
  uciConfig,
  type BackendSetting,
  type PolicyConfig,
} from '../testbed/agent.ts';
import { CHILD_ENV, exec, execOk, spawnIn, type ExecResult } from '../testbed/exec.ts';
import { PLAN } from '../testbed/plan.ts';
import { NODE } from '../testbed/scripts.ts';
import type { Testbed } from '../testbed/testbed.ts';
import { STANDIN_BIN, type StandinDir } from '../openwrt-standins/standin-dir.ts';

const PROBER_SCRIPT = fileURLToPath(new URL('./prober.mjs', import.meta.url));

/** `env` arguments that put the stand-ins first on PATH (or leave ubus out entirely). */
export function agentEnv(standins: StandinDir | null): string[] {
  const path = CHILD_ENV.PATH ?? '';
  if (!standins) return ['env', `PATH=${path}`];
  return ['env', `PATH=${STANDIN_BIN}:${path}`, `OP25B_STANDIN_DIR=${standins.path}`];
}

export interface AgentFiles {
  readonly dir: string;
  readonly stateDir: string;
  readonly runDir: string;
  /**
   * Writes a config (policy section with extra raw lines, agent section) and returns its path;
   * to `path` when given (a config the daemon re-reads on SIGHUP).
   */
  config(
    policy: PolicyConfig,
    agent?: Record<string, string>,
    extraPolicy?: string[],
    path?: string,
  ): string;
  remove(): void;
}

let written = 0;

export function agentFiles(): AgentFiles {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-openwrt-'));
  const stateDir = join(dir, 'state');
  const runDir = join(dir, 'run');
  return {
    dir,
    stateDir,
    runDir,
    config(policy, agent = {}, extraPolicy = [], path = join(dir, `op25b-${++written}.uci`)) {
      const options = { device_id: 'cpe-openwrt', state_dir: stateDir, run_dir: runDir, ...agent };
      const text =
        uciConfig(policy).trimEnd() +
        '\n' +
        extraPolicy.map((line) => `\t${line}\n`).join('') +
        "\nconfig agent 'agent'\n" +
        Object.entries(options)
          .filter(([, v]) => v !== '') // '' leaves the option out (device_id, say)
          .map(([k, v]) => `\toption ${k} '${v}'\n`)
          .join('');
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a one-shot agent command in the router namespace. */
export function runAgent(
  bed: Testbed,
  standins: StandinDir | null,
  args: readonly string[],
): Promise<ExecResult> {
  return exec(bed.ns.router, [...agentEnv(standins), QJS, AGENT_BUNDLE, ...args], {
    timeoutMs: 20_000,
  });
}

export interface Daemon {
  readonly pid: number;
  stderr(): string;
  stdout(): string;
  running(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code; SIGKILLs after the timeout. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Pids of its child processes now. */
  children(): number[];
}

/** Starts `qjs op25b-agent.js run --config <path>` in the router namespace. */
export function startDaemon(bed: Testbed, standins: StandinDir | null, configPath: string): Daemon {
  const child: ChildProcessWithoutNullStreams = spawnIn(bed.ns.router, [
    ...agentEnv(standins),
    QJS,
    AGENT_BUNDLE,
    'run',
    '--config',
    configPath,
  ]);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c, signal) => {
      code = c ?? (signal ? -1 : null);
      resolve(code);
    }),
  );
  const pid = child.pid ?? -1;
  return {
    pid,
    stderr: () => stderr,
    stdout: () => stdout,
    running: () => code === undefined,
    signal: (signal) => {
      if (code === undefined) child.kill(signal);
    },
    async stop(timeoutMs = 5000) {
      if (code !== undefined) return code;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    children() {
      try {
        const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
        return text ? text.split(/\s+/).map(Number) : [];
      } catch {
        return [];
      }
    },
  };
}

/** The command line of a pid ('' when it is gone). */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The devices the kernel rules block right now, as one sorted list (both families agree). */
export async function kernelDevices(bed: Testbed, setting: BackendSetting): Promise<string[]> {
  if (setting.backend === 'nftables') {
    const result = await exec(bed.ns.router, [
      'nft',
      '-j',
      'list',
      'set',
      'inet',
      'op25b',
      'wan_devices',
    ]);
    if (result.code !== 0) return [];
    const json = JSON.parse(result.stdout) as { nftables: { set?: { elem?: unknown[] } }[] };
    const set = json.nftables.find((e) => e.set)?.set;
    return ((set?.elem ?? []) as string[]).slice().sort();
  }
  const variant = setting.iptablesVariant ?? 'legacy';
  const lists = await Promise.all(
    [`iptables-${variant}-save`, `ip6tables-${variant}-save`].map(async (tool) => {
      const text = await execOk(bed.ns.router, [tool, '-t', 'filter']);
      const devices = [...text.matchAll(/^-A OP25B -o (\S+) /gm)].map((m) => m[1]!);
      return [...new Set(devices)].sort();
    }),
  );
  // iptables and ip6tables are two commits: between them the families can differ for a moment.
  if (lists[0]!.join() !== lists[1]!.join()) return [`ipv4:${lists[0]}`, `ipv6:${lists[1]}`];
  return lists[0]!;
}

/** Polls until the kernel's devices equal `expected`; resolves with the milliseconds it took. */
export async function waitForDevices(
  bed: Testbed,
  setting: BackendSetting,
  expected: readonly string[],
  timeoutMs = 3000,
): Promise<number> {
  const started = performance.now();
  const want = [...expected].sort().join(',');
  for (;;) {
    const have = (await kernelDevices(bed, setting)).join(',');
    if (have === want) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(`kernel rules name [${have}], expected [${want}] after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A point-to-point link from the router to the WAN host named like the device of a WAN
 * interface (pppoe-wan, wwan0), and routes that send the traffic to the WAN host's relay and
 * foreign addresses through it (and the answers back), in both families. Index picks the
 * addresses, so two links can exist at once.
 */
export class WanLink {
  constructor(
    private readonly bed: Testbed,
    readonly device: string,
    private readonly index: number,
  ) {}

  get peer(): string {
    return `peer${this.index}`;
  }
  get routerV4(): string {
    return `203.0.113.${200 + this.index * 2}`;
  }
  get hostV4(): string {
    return `203.0.113.${201 + this.index * 2}`;
  }
  get routerV6(): string {
    return `2001:db8:e${this.index}::1`;
  }
  get hostV6(): string {
    return `2001:db8:e${this.index}::2`;
  }

  /** Creates the device (no routes yet). */
  async create(): Promise<void> {
    const { ns } = this.bed;
    await execOk(ns.router, [
      'ip',
      'link',
      'add',
      this.device,
      'type',
      'veth',
      'peer',
      'name',
      this.peer,
      'netns',
      ns.wan,
    ]);
    await execOk(ns.router, [
      'ip',
      'addr',
      'add',
      this.routerV4,
      'peer',
      this.hostV4,
      'dev',
      this.device,
    ]);
    await execOk(ns.router, ['ip', '-6', 'addr', 'add', `${this.routerV6}/64`, 'dev', this.device]);
    await execOk(ns.router, ['ip', 'link', 'set', this.device, 'up']);
    await execOk(ns.wan, [
      'ip',
      'addr',
      'add',
      this.hostV4,
      'peer',
      this.routerV4,
      'dev',
      this.peer,
    ]);
    await execOk(ns.wan, ['ip', '-6', 'addr', 'add', `${this.hostV6}/64`, 'dev', this.peer]);
    await execOk(ns.wan, ['ip', 'link', 'set', this.peer, 'up']);
  }

  /** Routes the relay and foreign addresses (and LAN 1's answers) through the link. */
  async route(): Promise<void> {
    const { ns } = this.bed;
    const batch = (lines: string[]) =>
      execOk(null, ['ip', '-n', ns.router, '-batch', '-'], { stdin: `${lines.join('\n')}\n` });
    const hosts = [PLAN.wan.relay, PLAN.wan.foreign];
    await batch(
      hosts.flatMap((h) => [
        `route replace ${h.ipv4}/32 via ${this.hostV4} dev ${this.device}`,
        `route replace ${h.ipv6}/128 via ${this.hostV6} dev ${this.device}`,
      ]),
    );
    await execOk(null, ['ip', '-n', ns.wan, '-batch', '-'], {
      stdin:
        [
          `route replace ${PLAN.lan1.prefix.ipv4} via ${this.routerV4} dev ${this.peer}`,
          `route replace ${PLAN.lan1.prefix.ipv6} via ${this.routerV6} dev ${this.peer} metric 10`,
        ].join('\n') + '\n',
    });
  }

  /** Deletes the device (both ends); its routes go with it and traffic falls back to `wan`. */
  async destroy(): Promise<void> {
    await exec(this.bed.ns.router, ['ip', 'link', 'del', this.device]);
  }

  /** The device LAN 1's traffic to the foreign host leaves through now. */
  async egress(family: 'ipv4' | 'ipv6'): Promise<string> {
    const host = PLAN.wan.foreign[family];
    const from = PLAN.lan1.host[family];
    const out = await execOk(this.bed.ns.router, [
      'ip',
      family === 'ipv6' ? '-6' : '-4',
      'route',
      'get',
      host,
      'from',
      from,
      'iif',
      'lan1',
    ]);
    return /\bdev (\S+)/.exec(out)?.[1] ?? '';
  }
}

export interface ProbeRecord {
  readonly host: string;
  readonly port: number;
  readonly result: 'connected' | 'refused' | 'timeout' | 'error';
  readonly ms: number;
  /** Milliseconds since the prober started. */
  readonly at: number;
}

export interface Prober {
  records(): ProbeRecord[];
  /** Marks a point in time: records after it are what happened since. */
  mark(): number;
  stop(): Promise<ProbeRecord[]>;
}

/** Connects from `from` to each target in turn, again and again, until stopped. */
export function startProber(
  bed: Testbed,
  from: 'lan1' | 'lan2',
  targets: readonly { host: string; port: number }[],
  timeoutMs = 400,
): Prober {
  const child = spawnIn(bed.ns[from], [
    NODE,
    PROBER_SCRIPT,
    JSON.stringify({ targets, timeoutMs }),
  ]);
  const records: ProbeRecord[] = [];
  let partial = '';
  child.stdout.on('data', (b: Buffer) => {
    const lines = (partial + b.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) records.push(JSON.parse(line) as ProbeRecord);
  });
  child.stderr.on('data', () => {});
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    records: () => records,
    mark: () => records.length,
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      return records;
    },
  };
}
