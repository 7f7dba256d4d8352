// `Runtime.run` on top of `Runtime.spawn`, shared by both runtimes so that exit codes, timeouts
// and output capture behave the same on the router and in tests.
import type { ChildHandlers, ChildProcess, RunOptions, RunResult, Timer } from './runtime.ts';
import { concatBytes, decodeUtf8 } from '../encoding/utf8.ts';

export const DEFAULT_RUN_TIMEOUT_MS = 30_000;

export interface RunDeps {
  spawn(argv: readonly string[], handlers: ChildHandlers): ChildProcess;
  setTimeout(callback: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export function runToCompletion(
  deps: RunDeps,
  argv: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const stdout: Uint8Array[] = [];
    const stderr: Uint8Array[] = [];
    let timedOut = false;
    let finished = false;
    let timer: Timer | undefined;
    const child = deps.spawn(argv, {
      onStdout: (chunk) => stdout.push(chunk),
      onStderr: (chunk) => stderr.push(chunk),
      onExit: (code) => {
        finished = true;
        if (timer) deps.clearTimeout(timer);
        resolve({
          code,
          stdout: decodeUtf8(concatBytes(stdout)),
          stderr: decodeUtf8(concatBytes(stderr)),
          timedOut,
        });
      },
    });
    if (!finished) {
      timer = deps.setTimeout(() => {
        timedOut = true;
        child.kill(9);
      }, options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
    }
    if (options.stdin !== undefined) child.write(options.stdin);
    child.closeStdin();
  });
}
