// Runs started before anyone asked for them. QuickJS compiles the CLI's code (several ms on a
// router) before it can run a line of it; a read-only program started first, such as the kernel
// listing `apply` needs, runs meanwhile on another core. The first run() of exactly that argv
// and timeout (and no stdin) takes its result; nothing else ever sees it.
import type { RunOptions, RunResult, Runtime } from './runtime.ts';

export interface EarlyRuns {
  /** The runtime whose run() hands out the early results. */
  readonly runtime: Runtime;
  /** Starts argv now (a program without side effects: its result may go unused). */
  start(argv: readonly string[], timeoutMs?: number): void;
}

export function withEarlyRuns(base: Runtime): EarlyRuns {
  const started = new Map<string, Promise<RunResult>>();
  const keyOf = (argv: readonly string[], timeoutMs: number | undefined): string =>
    JSON.stringify([argv, timeoutMs ?? null]);
  const run = (argv: readonly string[], options: RunOptions = {}): Promise<RunResult> => {
    const key = keyOf(argv, options.timeoutMs);
    const early = started.get(key);
    if (early && options.stdin === undefined) {
      started.delete(key);
      return early;
    }
    return base.run(argv, options);
  };
  return {
    runtime: { ...base, run },
    start(argv, timeoutMs) {
      const key = keyOf(argv, timeoutMs);
      if (started.has(key)) return;
      const result = base.run(argv, timeoutMs === undefined ? {} : { timeoutMs });
      // Unused when another backend is chosen: its failure must not be an unhandled rejection.
      result.catch(() => undefined);
      started.set(key, result);
    },
  };
}
