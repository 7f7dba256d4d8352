// The agent's daemon (`qjs op25b-agent.js run --config FILE`) inside the router namespace: a UCI
// config with agent and mqtt sections, its log, signals, its exit, and its child processes
// (MQTT transport, nft monitor), which a SIGKILL would otherwise leave behind.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { AGENT_BUNDLE, QJS, uciConfig, type PolicyConfig } from './agent.ts';
import { spawnIn } from './exec.ts';
import { childPids, isRunning, pidCommand } from '../mqtt/processes.ts';

/** Option values of a UCI section; undefined leaves the option out. */
export type UciOptions = Readonly<Record<string, string | number | undefined>>;

export interface DaemonConfig {
  readonly policy: PolicyConfig;
  /** `config agent 'agent'` options (device_id, state_dir, run_dir, ...). */
  readonly agent: UciOptions;
  /** `config mqtt 'mqtt'` options (broker, ca_file, ...); absent: no broker. */
  readonly mqtt?: UciOptions;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function section(type: string, options: UciOptions): string {
  const lines = [`config ${type} '${type}'`];
  for (const [key, value] of Object.entries(options))
    if (value !== undefined) lines.push(`\toption ${key} ${quote(String(value))}`);
  return `${lines.join('\n')}\n`;
}

/** The whole UCI text: the policy section, then agent and mqtt. */
export function daemonUci(config: DaemonConfig): string {
  return [
    uciConfig(config.policy),
    section('agent', config.agent),
    ...(config.mqtt ? [section('mqtt', config.mqtt)] : []),
  ].join('\n');
}

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningDaemon {
  readonly pid: number;
  /** Everything the daemon wrote to stderr (its log) so far. */
  log(): string;
  /** Resolves with the first log line at or after character `from` that matches. */
  waitLog(pattern: RegExp, timeoutMs: number, from?: number): Promise<string>;
  running(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** Resolves with how it ended; rejects (and SIGKILLs it) after `timeoutMs`. */
  waitExit(timeoutMs: number): Promise<DaemonExit>;
  /** Pids of its child processes right now (transport program, nft monitor, ...). */
  children(): number[];
  /** SIGKILLs it and, once it is gone, the children it had; safe to call twice. */
  kill(): Promise<void>;
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Starts the daemon in `routerNs` (`ip netns exec` execs qjs itself: the pid is qjs's). */
export function startDaemon(routerNs: string, configPath: string): RunningDaemon {
  const child: ChildProcessWithoutNullStreams = spawnIn(routerNs, [
    QJS,
    AGENT_BUNDLE,
    'run',
    '--config',
    configPath,
  ]);
  const pid = child.pid ?? -1;
  let stderr = '';
  const wakers = new Set<() => void>();
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const wake of [...wakers]) wake();
  });
  child.stdout.on('data', () => {});
  let result: DaemonExit | null = null;
  const exited = new Promise<DaemonExit>((resolve) =>
    child.once('exit', (code, signal) => {
      result = { code, signal };
      for (const wake of [...wakers]) wake();
      resolve(result);
    }),
  );
  // Children seen while it ran: after a SIGKILL they are orphans and /proc no longer links them.
  const seenChildren = new Set<number>();
  const children = (): number[] => {
    const now = childPids(pid);
    for (const c of now) seenChildren.add(c);
    return now;
  };
  const running = (): boolean => result === null;

  return {
    pid,
    log: () => stderr,
    running,
    waitLog: (pattern, timeoutMs, from = 0) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const line = stderr
            .slice(from)
            .split('\n')
            .find((l) => pattern.test(l));
          if (line === undefined) {
            if (result === null) return false;
            finish(
              new Error(`daemon exited (${JSON.stringify(result)}) before logging ${pattern}`),
            );
            return true;
          }
          finish(null, line);
          return true;
        };
        const finish = (error: Error | null, line = ''): void => {
          clearTimeout(timer);
          wakers.delete(wake);
          if (error) reject(error);
          else resolve(line);
        };
        const wake = (): void => void check();
        const timer = setTimeout(
          () =>
            finish(
              new Error(
                `daemon did not log ${pattern} within ${timeoutMs} ms; log:\n${stderr.slice(from).slice(-3000)}`,
              ),
            ),
          timeoutMs,
        );
        if (!check()) wakers.add(wake);
      }),
    signal: (signal) => {
      children();
      if (running()) child.kill(signal);
    },
    waitExit: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>(
        (resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)),
      );
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (outcome) return outcome;
      child.kill('SIGKILL');
      throw new Error(`daemon did not exit within ${timeoutMs} ms; log:\n${stderr.slice(-3000)}`);
    },
    children,
    kill: async () => {
      children();
      if (running()) {
        child.kill('SIGKILL');
        await exited;
      }
      // Only the agent's own helpers (a pid could have been reused by then).
      for (const c of seenChildren)
        if (isRunning(c) && /^(\S*\/)?(openssl|socat|nft|conntrack|sync) /.test(pidCommand(c)))
          killPid(c);
    },
  };
}
