// The processes `npm start` runs: each in its own process group (so a Ctrl-C reaches only
// npm start, which then stops them in order: routers first, so they say goodbye on MQTT, then
// the portal, then the broker), its output in a log file, and a stop that always ends with the
// whole group gone: SIGTERM to the child, then, after a grace time or once it exited, SIGKILL
// to whatever of its group is left (a transport program, say). Only these PIDs are signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  readonly exited: boolean;
  /** Resolves with the exit code (128 + n for signal n). */
  readonly exit: Promise<number>;
  stop(graceMs?: number): Promise<void>;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is empty already
  }
}

export interface SpawnSpec {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  /** A pipe to the child's stdin (kept open: the child may take its end as "parent gone"). */
  readonly stdinPipe?: boolean;
  /** stdout as a pipe to read, instead of the log file. */
  readonly stdoutPipe?: boolean;
}

export function startChild(spec: SpawnSpec): Child {
  const [file, ...args] = spec.argv;
  if (!file) throw new Error(`${spec.name}: empty command`);
  const log = openSync(spec.logFile, 'a');
  const child = spawn(file, args, {
    detached: true,
    env: spec.env ?? process.env,
    ...(spec.cwd && { cwd: spec.cwd }),
    stdio: [spec.stdinPipe ? 'pipe' : 'ignore', spec.stdoutPipe ? 'pipe' : log, log],
  });
  closeSync(log);
  let exited = false;
  const exit = new Promise<number>((resolve) => {
    child.once('error', () => {
      exited = true;
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      exited = true;
      resolve(code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0));
    });
  });
  const pid = child.pid ?? -1;
  return {
    name: spec.name,
    pid,
    process: child,
    get exited() {
      return exited;
    },
    exit,
    async stop(graceMs = 10_000) {
      if (pid <= 0) return;
      if (!exited) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exit, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      killGroup(pid, 'SIGKILL');
      await exit;
    },
  };
}
