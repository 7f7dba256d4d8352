// Running programs, in the root namespace or inside a test namespace, always from argument
// arrays (never a shell string), always bounded by a timeout.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ExecResult {
  readonly argv: readonly string[];
  /** Exit status; 128 + n when killed by signal n. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, in milliseconds. */
  readonly ms: number;
  readonly timedOut: boolean;
}

export interface ExecOptions {
  /** Written to standard input, which is then closed. */
  readonly stdin?: string;
  /** SIGKILL after this many milliseconds (default 15 s). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
// Firewall tools live in sbin; some environments leave it out of PATH.
const PATH = [process.env.PATH ?? '', '/usr/local/sbin', '/usr/sbin', '/sbin']
  .filter(Boolean)
  .join(':');
export const CHILD_ENV: NodeJS.ProcessEnv = { ...process.env, PATH, LC_ALL: 'C' };

/** argv as run: inside `ns` through `ip netns exec`, or as is when ns is null. */
export function nsArgv(ns: string | null, argv: readonly string[]): string[] {
  if (argv.length === 0) throw new Error('exec: empty argv');
  return ns === null ? [...argv] : ['ip', 'netns', 'exec', ns, ...argv];
}

/** Runs argv to completion inside namespace `ns` (null: the root namespace). */
export function exec(
  ns: string | null,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const full = nsArgv(ns, argv);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(full[0]!, full.slice(1), { env: CHILD_ENV, stdio: 'pipe' });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.stdin.on('error', () => {}); // the program may exit without reading its input
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({
        argv: full,
        code: 127,
        stdout: '',
        stderr: String(error),
        ms: performance.now() - started,
        timedOut,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        argv: full,
        code: code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ms: performance.now() - started,
        timedOut,
      });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

export class ExecError extends Error {
  constructor(readonly result: ExecResult) {
    super(
      `${result.argv.join(' ')} exited ${result.code}${result.timedOut ? ' (timed out)' : ''}: ` +
        (result.stderr.trim() || result.stdout.trim()).slice(0, 500),
    );
    this.name = 'ExecError';
  }
}

/** Like exec, but throws ExecError unless the program exits 0; returns its stdout. */
export async function execOk(
  ns: string | null,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<string> {
  const result = await exec(ns, argv, options);
  if (result.code !== 0) throw new ExecError(result);
  return result.stdout;
}

/** Long-running children started by the test bed; killed by the cleanup whatever happens. */
const tracked = new Set<ChildProcessWithoutNullStreams>();

/** Starts a long-running program inside `ns`; its stdio are pipes. */
export function spawnIn(
  ns: string | null,
  argv: readonly string[],
): ChildProcessWithoutNullStreams {
  const full = nsArgv(ns, argv);
  const child = spawn(full[0]!, full.slice(1), { env: CHILD_ENV, stdio: 'pipe' });
  tracked.add(child);
  child.on('exit', () => tracked.delete(child));
  child.on('error', () => tracked.delete(child));
  child.stdin.on('error', () => {});
  return child;
}

/** SIGKILLs every child spawnIn started that is still running. Synchronous. */
export function killTrackedChildren(): void {
  for (const child of tracked) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  tracked.clear();
}

/** Resolves on the first line of stdout that satisfies `match`; rejects on exit or timeout. */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  match: (line: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const done = (error: Error | null, line = ''): void => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onErr);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (match(line)) return done(null, line);
      }
    };
    const onErr = (chunk: Buffer): void => {
      stderr += chunk.toString('utf8');
    };
    const onExit = (code: number | null): void =>
      done(new Error(`${what}: exited (${code}) before it was ready: ${stderr.trim()}`));
    const timer = setTimeout(
      () => done(new Error(`${what}: not ready after ${timeoutMs} ms: ${stderr.trim()}`)),
      timeoutMs,
    );
    child.stdout.on('data', onData);
    child.stderr.on('data', onErr);
    child.on('exit', onExit);
  });
}
