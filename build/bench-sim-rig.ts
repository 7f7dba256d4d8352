// The processes of the fleet bench (build/bench-sim.ts), each a child of its own so its RSS and
// CPU can be read from /proc: a private mosquitto ($SYS every second), the portal
// (`portal/main.ts` on PostgreSQL or PGlite), `fleet-sim`, and the portal's API as seen by a
// script with a token. Everything on 127.0.0.1 or a Unix socket; every child stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { AccountsStore } from '../portal/auth/accounts-store.ts';
import { openDb } from '../portal/store/db.ts';
import { migrate } from '../portal/store/migrate.ts';
import { childPids, cpuTicks, waitFor } from '../test/mqtt/helpers.ts';

export const ROOT = new URL('..', import.meta.url).pathname;

// Up to the hard limit: raising that needs CAP_SYS_RESOURCE, which a container may not have.
const HARD_NOFILE = Number(
  /^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024,
);

export function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) of a process and of its whole tree below it. */
export function treeCpuS(pid: number): number {
  let ticks = 0;
  try {
    ticks = cpuTicks(pid);
  } catch {
    return 0;
  }
  return ticks / 100 + childPids(pid).reduce((sum, child) => sum + treeCpuS(child), 0);
}

export function treeRssKb(pid: number): number {
  return rssKb(pid) + childPids(pid).reduce((sum, child) => sum + treeRssKb(child), 0);
}

function portOpen(port: number): boolean {
  // /proc/net/tcp: local address 0100007F:<port hex> in state 0A (LISTEN).
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').includes(`0100007F:${hex} 00000000:0000 0A`);
}

/** A child with the open-files limit raised (prlimit execs it: the pid is the program's own). */
export function raised(
  argv: string[],
  nofile: number,
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  const n = String(Math.min(nofile, HARD_NOFILE));
  return spawn('prlimit', [`--nofile=${n}:${n}`, '--', ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    cwd: ROOT,
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  killAfterMs = 30_000,
) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await done;
  clearTimeout(timer);
}

export interface BenchBroker {
  readonly url: string;
  readonly port: number;
  child: ChildProcess;
  start(): Promise<void>;
}

/**
 * mosquitto without persistence (a restart is an empty broker: the routers must publish their
 * state again), $SYS every second, no connection limit, and a deep queue for the portal, which
 * takes the whole fleet's first messages in one burst.
 */
export function benchBroker(dir: string, port: number, routers: number): BenchBroker {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `user ${userInfo().username}`,
      'persistence false',
      'log_dest none',
      'set_tcp_nodelay true',
      'sys_interval 1',
      'max_queued_messages 200000',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_connections -1',
      '',
    ].join('\n'),
  );
  const broker: BenchBroker = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    child: null as unknown as ChildProcess,
    async start() {
      broker.child = raised(['mosquitto', '-c', conf], routers + 1024);
      await waitFor('mosquitto listening', () => (portOpen(port) ? true : undefined), 10_000);
    },
  };
  return broker;
}

export interface PortalProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly log: string[];
  api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

/** An operator account and an API token, made on the database before the portal starts. */
export async function makeToken(database: { databaseUrl?: string; dataDir?: string }) {
  const db = await openDb(database);
  try {
    await migrate(db);
    const accounts = new AccountsStore(db);
    await accounts.addAccount('bench', 'operator', 'bench password, long enough');
    return (await accounts.createToken('bench', 'bench-sim')).token;
  } finally {
    await db.close();
  }
}

export async function startPortal(env: Record<string, string>, token: string) {
  const child = raised([process.execPath, '--import', 'tsx', join(ROOT, 'portal/main.ts')], 4096, {
    ...process.env,
    PORTAL_LISTEN: '127.0.0.1:0',
    ...env,
  });
  const log: string[] = [];
  let url = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      // The start, then only what went wrong (a long run logs little else).
      if (log.length < 50 || /error|fail|lost|mqtt/i.test(line)) log.push(line);
      if (log.length > 400) log.splice(50, 1);
      url ||= /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? '';
    }
  });
  await waitFor(
    'the portal listening',
    () => {
      if (child.exitCode !== null) throw new Error(`portal exited: ${log.join('\n')}`);
      return url || undefined;
    },
    120_000,
  );
  const portal: PortalProcess = {
    child,
    url,
    log,
    async api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
  };
  return portal;
}

/** Polls `check` every `everyMs` until it returns a value. */
export async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
