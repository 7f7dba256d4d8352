// The agent under dist/qjs in the router namespace with the ubus/uci/logger stand-ins first on
// PATH: one-shot commands, the daemon, and what its children are.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { AGENT_BUNDLE, QJS } from '../testbed/agent.ts';
import { CHILD_ENV, exec, spawnIn, type ExecResult } from '../testbed/exec.ts';
import type { Testbed } from '../testbed/testbed.ts';
import { STANDIN_BIN, type StandinDir } from '../openwrt-standins/standin-dir.ts';
import { childPids } from '../mqtt/processes.ts';

/** `env` arguments that put the stand-ins first on PATH (or leave ubus out entirely). */
export function agentEnv(standins: StandinDir | null): string[] {
  const path = CHILD_ENV.PATH ?? '';
  if (!standins) return ['env', `PATH=${path}`];
  return ['env', `PATH=${STANDIN_BIN}:${path}`, `OP25B_STANDIN_DIR=${standins.path}`];
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
    children: () => childPids(pid),
  };
}
