// Network namespaces with a unique per-run prefix, and a cleanup that always runs: after the
// tests (destroy), when the process exits for any reason, and on SIGINT/SIGTERM/SIGHUP.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CHILD_ENV, exec, killTrackedChildren } from './exec.ts';

/** Every test-bed namespace of this process that has not been deleted yet. */
const live = new Set<string>();
let handlersInstalled = false;

/** A prefix no other run (nor another test bed of this run) uses: `o25b-<pid><random>-`. */
export function uniquePrefix(): string {
  return `o25b-${process.pid.toString(36)}${randomBytes(3).toString('hex')}-`;
}

function ipSync(args: string[]): string {
  try {
    return execFileSync('ip', args, {
      env: CHILD_ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
  } catch {
    return '';
  }
}

function pidsOf(output: string): number[] {
  return output
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid);
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Synchronous cleanup for exit and signal handlers: kill, then delete, every live namespace. */
export function destroyAllSync(): void {
  killTrackedChildren();
  for (const ns of [...live]) {
    killAll(pidsOf(ipSync(['netns', 'pids', ns])));
    // SIGKILLed processes leave quickly; wait a little so the namespace does not linger.
    for (let i = 0; i < 20 && pidsOf(ipSync(['netns', 'pids', ns])).length > 0; i++)
      execFileSync('sleep', ['0.02']);
    ipSync(['netns', 'del', ns]);
    live.delete(ns);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', destroyAllSync);
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ] as const) {
    process.on(signal, () => {
      destroyAllSync();
      process.exit(128 + number);
    });
  }
}

/** Creates the namespaces; on any failure deletes those already made, then throws. */
export async function createNamespaces(names: readonly string[]): Promise<void> {
  installHandlers();
  for (const ns of names) {
    const result = await exec(null, ['ip', 'netns', 'add', ns], { timeoutMs: 5000 });
    if (result.code !== 0) {
      await destroyNamespaces(names.filter((n) => live.has(n)));
      throw new Error(`ip netns add ${ns} failed: ${result.stderr.trim()}`);
    }
    live.add(ns);
  }
}

/** Kills every process inside each namespace, waits for them to go, deletes the namespaces. */
export async function destroyNamespaces(names: readonly string[]): Promise<string[]> {
  const errors: string[] = [];
  await Promise.all(
    names.map(async (ns) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const listed = await exec(null, ['ip', 'netns', 'pids', ns], { timeoutMs: 5000 });
        const pids = listed.code === 0 ? pidsOf(listed.stdout) : [];
        if (pids.length === 0) break;
        killAll(pids);
        await new Promise((r) => setTimeout(r, 20));
      }
      const deleted = await exec(null, ['ip', 'netns', 'del', ns], { timeoutMs: 5000 });
      if (deleted.code !== 0 && !/No such file/.test(deleted.stderr))
        errors.push(`ip netns del ${ns}: ${deleted.stderr.trim()}`);
      live.delete(ns);
    }),
  );
  return errors;
}

/** Names of this process's namespaces that still exist. */
export function liveNamespaces(): string[] {
  return [...live];
}
