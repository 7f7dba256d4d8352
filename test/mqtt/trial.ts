// The QuickJS trial runner: dist/qjs runs a trial bundle that prints one JSON event a line.
import { spawn } from 'node:child_process';
import { QJS, track } from './processes.ts';
import { waitFor, within } from './waits.ts';

export interface TrialEvent {
  readonly event: string;
  readonly ms: number;
  readonly [key: string]: unknown;
}

export interface Trial {
  readonly pid: number;
  readonly events: TrialEvent[];
  stderr(): string;
  /** Resolves with the first event of this name. */
  next(event: string, timeoutMs?: number): Promise<TrialEvent>;
  /** Resolves when the process has ended by itself; kills it and rejects after `timeoutMs`. */
  exit(timeoutMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }>;
  kill(signal: NodeJS.Signals): void;
}

/** Runs `dist/qjs dist/test/mqtt-trial.js <mode> ...args`. */
export function startTrial(
  bundle: string,
  mode: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Trial {
  const t0 = Date.now();
  const child = track(
    spawn(QJS, [bundle, mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env }),
  );
  const events: TrialEvent[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      try {
        events.push(JSON.parse(line) as TrialEvent);
      } catch {
        events.push({ event: 'garbage', ms: Date.now() - t0, line });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; ms: number }>(
    (resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t0 })),
  );
  const describe = (): string =>
    `events ${JSON.stringify(events)}, stderr ${JSON.stringify(stderr)}`;
  return {
    pid: child.pid ?? -1,
    events,
    stderr: () => stderr,
    next: (event, timeoutMs = 8000) =>
      waitFor(
        `trial event ${event} (${describe()})`,
        () => {
          const found = events.find((e) => e.event === event);
          if (!found && child.exitCode !== null)
            throw new Error(`trial exited without ${event}: ${describe()}`);
          return found;
        },
        timeoutMs,
      ),
    exit: async (timeoutMs = 8000) => {
      const result = await within(exited, timeoutMs);
      if (result) return result;
      child.kill('SIGKILL');
      throw new Error(`trial did not exit within ${timeoutMs} ms: ${describe()}`);
    },
    kill: (signal) => child.kill(signal),
  };
}
