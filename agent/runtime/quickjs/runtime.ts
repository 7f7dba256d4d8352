// The runtime that ships: QuickJS (`qjs`) on the router.
import * as os from 'os';
import * as std from 'std';
import { runToCompletion } from '../run-to-completion.ts';
import type { Runtime, SignalName, Timer } from '../runtime.ts';
import { spawnChild } from './child-process.ts';
import {
  findExecutable,
  fileIdentity,
  listDirectory,
  makeDirectory,
  readBytes,
  readText,
  removeFile,
  writeTextAtomic,
} from './files.ts';
import { clearRootedTimeout, setRootedTimeout } from './timers.ts';

// os.SIGHUP is missing from every QuickJS build; the numbers are Linux's.
const SIGNALS: Record<SignalName, number> = { HUP: 1, INT: 2, TERM: 15 };

const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export function createQuickJsRuntime(): Runtime {
  const setTimer = (callback: () => void, ms: number): Timer =>
    setRootedTimeout(callback, ms) as unknown as Timer;
  const clearTimer = (timer: Timer): void => clearRootedTimeout(timer as unknown as os.TimerHandle);
  const runtime: Runtime = {
    name: 'quickjs',
    argv: scriptArgs.slice(1),
    env: (name) => std.getenv(name),
    run: (argv, options) =>
      runToCompletion(
        { spawn: spawnChild, setTimeout: setTimer, clearTimeout: clearTimer },
        argv,
        options,
      ),
    spawn: spawnChild,
    findExecutable: (name) => findExecutable(name, std.getenv('PATH') ?? DEFAULT_PATH),
    readText,
    readBytes,
    writeTextAtomic,
    makeDirectory,
    removeFile,
    listDirectory,
    fileIdentity,
    setTimeout: setTimer,
    clearTimeout: clearTimer,
    now: () => Date.now(),
    onSignal: (signal, handler) => os.signal(SIGNALS[signal], handler),
    writeStdout: (text) => {
      std.out.puts(text);
      std.out.flush();
    },
    writeStderr: (text) => {
      std.err.puts(text);
      std.err.flush();
    },
    exit: (code) => {
      std.out.flush();
      std.err.flush();
      return std.exit(code);
    },
  };
  return runtime;
}
