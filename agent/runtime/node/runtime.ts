// The Node runtime: for development tools and tests, with the same contract as QuickJS's.
import { spawn as nodeSpawn } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { runToCompletion } from '../run-to-completion.ts';
import type { ChildHandlers, ChildProcess, Runtime, Timer } from '../runtime.ts';

function spawnChild(argv: readonly string[], handlers: ChildHandlers): ChildProcess {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('spawn: empty argv');
  const child = nodeSpawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let exited = false;
  child.stdout.on('data', (chunk: Buffer) => handlers.onStdout?.(new Uint8Array(chunk)));
  child.stderr.on('data', (chunk: Buffer) => handlers.onStderr?.(new Uint8Array(chunk)));
  child.stdin.on('error', () => {}); // EPIPE when the child stops reading
  child.on('error', (error: NodeJS.ErrnoException) => {
    // Same outcome as QuickJS, whose forked child exits 127 when exec fails.
    if (exited) return;
    exited = true;
    handlers.onStderr?.(new TextEncoder().encode(`${file}: ${error.message}\n`));
    handlers.onExit?.(127);
  });
  child.on('close', (code, signal) => {
    if (exited) return;
    exited = true;
    handlers.onExit?.(code ?? 128 + signalNumber(signal));
  });
  return {
    pid: child.pid ?? -1,
    write: (data) => {
      if (!child.stdin.destroyed) child.stdin.write(data);
    },
    closeStdin: () => {
      if (!child.stdin.destroyed) child.stdin.end();
    },
    kill: (signal = 15) => {
      if (!exited) child.kill(signal);
    },
  };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return (signal && numbers[signal]) ?? 0;
}

function findExecutable(name: string): string | null {
  const dirs = name.includes('/') ? [''] : (process.env.PATH ?? '').split(delimiter);
  for (const dir of dirs) {
    const candidate = dir ? join(dir, name) : name;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

let counter = 0;

export function createNodeRuntime(argv: readonly string[] = process.argv.slice(2)): Runtime {
  const setTimer = (callback: () => void, ms: number): Timer =>
    setTimeout(callback, ms) as unknown as Timer;
  const clearTimer = (timer: Timer): void => clearTimeout(timer as unknown as NodeJS.Timeout);
  return {
    name: 'node',
    argv,
    env: (name) => process.env[name],
    run: (args, options) =>
      runToCompletion(
        { spawn: spawnChild, setTimeout: setTimer, clearTimeout: clearTimer },
        args,
        options,
      ),
    spawn: spawnChild,
    findExecutable,
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
    readBytes: (path, length) => {
      try {
        return new Uint8Array(readFileSync(path).subarray(0, length));
      } catch {
        return null;
      }
    },
    writeTextAtomic: (path, text) => {
      // The same name as under QuickJS (desired-store.ts removes leftovers by it).
      const tmp = `${path}.tmp-${Date.now().toString(36)}-${counter++}`;
      writeFileSync(tmp, text);
      try {
        renameSync(tmp, path);
      } catch (error) {
        rmSync(tmp, { force: true });
        throw error;
      }
    },
    makeDirectory: (path) => void mkdirSync(path, { recursive: true }),
    removeFile: (path) => rmSync(path, { force: true }),
    listDirectory: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
    fileIdentity: (path) => {
      try {
        const st = statSync(path);
        return `${st.dev}:${st.ino}:${Math.floor(st.ctimeMs)}`;
      } catch {
        return null;
      }
    },
    setTimeout: setTimer,
    clearTimeout: clearTimer,
    now: () => Date.now(),
    onSignal: (signal, handler) => void process.on(`SIG${signal}`, handler),
    writeStdout: (text) => void process.stdout.write(text),
    writeStderr: (text) => void process.stderr.write(text),
    exit: (code) => process.exit(code),
  };
}
