// Runs `npm run fleet`'s program (node + tsx, like npm does, without npm's own start-up) and
// `npm run portal`'s, tracked so they are killed if a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, track, waitFor } from '../../mqtt/helpers.ts';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runFleet(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'portal/cli/main.ts'), ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}

export interface Portal {
  readonly url: string;
  readonly child: ChildProcess;
  log(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the service on a free port (PORTAL_LISTEN=127.0.0.1:0) and waits for its address. */
export async function startPortal(env: Record<string, string>): Promise<Portal> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'portal/main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        PORTAL_LISTEN: '127.0.0.1:0',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = await waitFor(
    'the portal to listen',
    () => {
      if (child.exitCode !== null) throw new Error(`portal exited ${child.exitCode}:\n${log}`);
      return /listening on (http:\/\/\S+)/.exec(log)?.[1];
    },
    60_000,
  );
  return {
    url,
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
