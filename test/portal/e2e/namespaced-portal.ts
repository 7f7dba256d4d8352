// The real portal service (`npm run portal`'s program) inside a test namespace, beside the
// broker, listening on that namespace's own 127.0.0.1. The test in the root namespace reaches
// the API through a Unix socket (path sockets are not bound to a network namespace): socat,
// inside the namespace, forwards each connection to the portal's port. No address of any range
// is used in the root namespace and no route is added.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { ROOT, track, waitFor } from '../../mqtt/helpers.ts';

/** The portal's port inside its namespace (a fresh namespace: nothing else listens there). */
export const PORTAL_PORT = 8080;
const START_TIMEOUT_MS = 90_000; // PGlite reopens in ~1 s alone, much longer on a busy machine
const STOP_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 15_000;

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface NamespacedPortal {
  readonly pid: number;
  log(): string;
  /** One API call (`path` under /api/v1), with the bearer token when given. */
  api(method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<ApiAnswer>;
  /** SIGTERM; resolves with the exit code (SIGKILL and null after a grace period). */
  stop(): Promise<number | null>;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function end(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_TIMEOUT_MS)));
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return outcome;
  child.kill('SIGKILL');
  await exited;
  return null;
}

/**
 * Starts the portal in namespace `ns` with `env` (MQTT_URL, PORTAL_DATA, PORTAL_SIGNING_KEY...)
 * and the API bridge on `socketPath`. Both children are killed by PID on stop or failure.
 */
export async function startNamespacedPortal(
  ns: string,
  env: Readonly<Record<string, string>>,
  socketPath: string,
): Promise<NamespacedPortal> {
  // `ip netns exec` execs node: the child's pid is the portal's own.
  const portal = track(
    spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', join(ROOT, 'portal/main.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/root',
          PORTAL_LISTEN: `127.0.0.1:${PORTAL_PORT}`,
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  let log = '';
  portal.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let bridge: ChildProcess | null = null;
  const stop = async (): Promise<number | null> => {
    if (bridge) await end(bridge, 'SIGKILL');
    return end(portal, 'SIGTERM');
  };
  try {
    await waitFor(
      'the portal to listen',
      () => {
        if (portal.exitCode !== null)
          throw new Error(`the portal exited ${portal.exitCode}:\n${log}`);
        return log.includes(`listening on http://127.0.0.1:${PORTAL_PORT}`) ? true : undefined;
      },
      START_TIMEOUT_MS,
    );
    bridge = track(
      spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          'socat',
          `UNIX-LISTEN:${socketPath},fork,mode=600`,
          `TCP4:127.0.0.1:${PORTAL_PORT}`,
        ],
        { stdio: 'ignore' },
      ),
    );
    await waitFor('the API socket', () => (existsSync(socketPath) ? true : undefined), 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid: portal.pid ?? -1,
    log: () => log,
    api: (method, path, token, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            socketPath,
            method,
            path: `/api/v1${path}`,
            headers: {
              host: `127.0.0.1:${PORTAL_PORT}`,
              ...(token && { authorization: `Bearer ${token}` }),
              ...(payload !== undefined && { 'content-type': 'application/json' }),
            },
            timeout: REQUEST_TIMEOUT_MS,
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              let parsed: unknown = text;
              try {
                parsed = JSON.parse(text);
              } catch {
                // not JSON: kept as text
              }
              resolve({ status: res.statusCode ?? 0, body: parsed });
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
        req.on('error', reject);
        req.end(payload);
      }),
    stop,
  };
}
