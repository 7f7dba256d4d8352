// A Runtime for the daemon's unit tests: files in a map, programs answered by the test, and a
// clock with timers that only moves when the test advances it.
import type { RunOptions, RunResult, Runtime, Timer } from '../../../agent/runtime/runtime.ts';

export interface ClockRuntime extends Runtime {
  readonly files: Map<string, string>;
  readonly runs: (readonly string[])[];
  /** The answer of `run`; exit 0 with no output unless the test sets it. */
  answer: (argv: readonly string[], options?: RunOptions) => Partial<RunResult>;
  /** Moves the clock by `ms`, firing due timers in time order, with promises settled between. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run. */
  settle(): Promise<void>;
  pendingTimers(): number;
}

export function clockRuntime(start = 1_795_845_600_000): ClockRuntime {
  let now = start;
  let next = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  };
  const runtime: ClockRuntime = {
    name: 'node',
    argv: [],
    files: new Map(),
    runs: [],
    answer: () => ({}),
    env: () => undefined,
    async run(argv, options) {
      runtime.runs.push(argv);
      return { code: 0, stdout: '', stderr: '', timedOut: false, ...runtime.answer(argv, options) };
    },
    spawn() {
      throw new Error('spawn is not faked here');
    },
    findExecutable: () => null,
    readText: (path) => runtime.files.get(path) ?? null,
    readBytes: () => null,
    fileIdentity: (path) => (runtime.files.has(path) ? `file:${path}` : null),
    writeTextAtomic(path, text) {
      runtime.files.set(path, text);
    },
    makeDirectory() {},
    removeFile(path) {
      runtime.files.delete(path);
    },
    listDirectory: (dir) =>
      [...runtime.files.keys()]
        .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'))
        .map((p) => p.slice(dir.length + 1)),
    setTimeout(callback, ms) {
      const id = ++next;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return { __timer: id } as Timer;
    },
    clearTimeout(timer) {
      timers.delete(timer.__timer as number);
    },
    now: () => now,
    onSignal() {},
    writeStdout() {},
    writeStderr() {},
    exit(code): never {
      throw new Error(`exit ${code}`);
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
        await settle();
      }
      now = end;
      await settle();
    },
    settle,
    pendingTimers: () => timers.size,
  };
  return runtime;
}
