// A Runtime for unit tests of the OpenWrt adapters: programs answer from a script, spawned
// children are driven by the test, and time only moves when the test advances it.
import type {
  ChildHandlers,
  ChildProcess,
  RunOptions,
  RunResult,
  Runtime,
  Timer,
} from '../../../agent/runtime/runtime.ts';

export interface FakeChild extends ChildProcess {
  readonly argv: readonly string[];
  readonly handlers: ChildHandlers;
  /** Everything written to its stdin. */
  readonly input: string[];
  stdinClosed: boolean;
  killedWith: number | null;
  exited: boolean;
  /** Delivers bytes (or text) on its stdout. */
  emit(data: Uint8Array | string): void;
  /** Ends it with this exit code. */
  exit(code: number): void;
}

export interface RunCall {
  readonly argv: readonly string[];
  readonly options: RunOptions | undefined;
}

type Answer = Partial<RunResult> | ((argv: readonly string[]) => Partial<RunResult>);

export interface FakeRuntime extends Runtime {
  readonly runs: RunCall[];
  readonly children: FakeChild[];
  readonly stderr: string[];
  readonly stdout: string[];
  /** Programs findExecutable finds (by name). */
  readonly programs: Set<string>;
  /** What fileIdentity reports per path (absent: no file). */
  readonly identities: Map<string, string>;
  /** The answer of `run` for argv starting with `prefix` (joined by spaces). */
  answer(prefix: string, answer: Answer): void;
  /** Moves the clock, firing due timers in order. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run. */
  settle(): Promise<void>;
  pendingTimers(): number;
}

const encoder = new TextEncoder();

export function fakeRuntime(programs: string[] = []): FakeRuntime {
  let now = 1_700_000_000_000;
  let timerId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const answers: [string, Answer][] = [];
  const runs: RunCall[] = [];
  const children: FakeChild[] = [];
  const stderr: string[] = [];
  const stdout: string[] = [];
  const found = new Set(programs);

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };

  const runtime: FakeRuntime = {
    name: 'node',
    argv: [],
    runs,
    children,
    stderr,
    stdout,
    programs: found,
    identities: new Map(),
    env: () => undefined,
    answer(prefix, answer) {
      answers.unshift([prefix, answer]);
    },
    run(argv, options) {
      runs.push({ argv, options });
      const text = argv.join(' ');
      const match = answers.find(([prefix]) => text === prefix || text.startsWith(`${prefix} `));
      const answer = match ? match[1] : { code: 127, stderr: `${argv[0]}: not found` };
      const result = typeof answer === 'function' ? answer(argv) : answer;
      return Promise.resolve({ code: 0, stdout: '', stderr: '', timedOut: false, ...result });
    },
    spawn(argv, handlers) {
      const child: FakeChild = {
        pid: 1000 + children.length,
        argv,
        handlers,
        input: [],
        stdinClosed: false,
        killedWith: null,
        exited: false,
        write(data) {
          if (!child.stdinClosed)
            child.input.push(typeof data === 'string' ? data : new TextDecoder().decode(data));
        },
        closeStdin() {
          child.stdinClosed = true;
        },
        kill(signal = 15) {
          if (child.exited) return;
          child.killedWith = signal;
          child.exit(128 + signal);
        },
        emit(data) {
          handlers.onStdout?.(typeof data === 'string' ? encoder.encode(data) : data);
        },
        exit(code) {
          if (child.exited) return;
          child.exited = true;
          handlers.onExit?.(code);
        },
      };
      children.push(child);
      return child;
    },
    findExecutable: (name) => (found.has(name) ? `/usr/bin/${name}` : null),
    readText: () => null,
    readBytes: () => null,
    writeTextAtomic: () => {},
    makeDirectory: () => {},
    removeFile: () => {},
    listDirectory: () => [],
    fileIdentity: (path) => runtime.identities.get(path) ?? null,
    setTimeout(callback, ms) {
      const id = ++timerId;
      timers.set(id, { at: now + ms, callback });
      return { __timer: id } as Timer;
    },
    clearTimeout(timer) {
      timers.delete((timer as unknown as { __timer: number }).__timer);
    },
    now: () => now,
    onSignal: () => {},
    writeStdout: (text) => void stdout.push(text),
    writeStderr: (text) => void stderr.push(text),
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await settle();
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
      await settle();
    },
    settle,
    pendingTimers: () => timers.size,
  };
  return runtime;
}
