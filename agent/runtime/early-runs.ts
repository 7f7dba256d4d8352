// Runs started before anyone asked for them. QuickJS compiles the CLI's code (several ms on a
// router) before it can run a line of it; a read-only program started first, such as the kernel
// listing `apply` needs, runs meanwhile on another core. The first run() of exactly that argv
// (no stdin, default timeout) takes its result; nothing else ever sees it.
import type { RunOptions, RunResult, Runtime } from './runtime.ts';

export interface EarlyRuns {
  /** The runtime whose run() hands out the early results. */
  readonly runtime: Runtime;
  /** Starts argv now (a program without side effects: its result may go unused). */
  start(argv: readonly string[]): void;
}

export function withEarlyRuns(base: Runtime): EarlyRuns {
  const started = new Map<string, Promise<RunResult>>();
  const run = (argv: readonly string[], options: RunOptions = {}): Promise<RunResult> => {
    const key = JSON.stringify(argv);
    const early = started.get(key);
    if (early && options.stdin === undefined && options.timeoutMs === undefined) {
      started.delete(key);
      return early;
    }
    return base.run(argv, options);
  };
  return {
    runtime: { ...base, run },
    start(argv) {
      const key = JSON.stringify(argv);
      if (started.has(key)) return;
      const result = base.run(argv);
      // Unused when another backend is chosen: its failure must not be an unhandled rejection.
      result.catch(() => undefined);
      started.set(key, result);
    },
  };
}
