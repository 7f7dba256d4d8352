// A TCP connection held open from a namespace by a small Node client (scripts/hold.mjs), which
// reports when the connection is closed or reset, and whether data still gets through.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnIn } from './exec.ts';
import { HOLD_SCRIPT, NODE } from './scripts.ts';

const ESTABLISH_TIMEOUT_MS = 5000;

interface HoldEvent {
  readonly event: 'established' | 'pong' | 'no-reply' | 'closed' | 'failed';
  readonly localPort?: number;
  readonly n?: number;
  readonly reason?: string;
}

export type PingResult = 'pong' | 'no-reply' | 'closed';

export interface HeldConnection {
  readonly host: string;
  readonly port: number;
  /** The client's port: with host and port, it names the flow in conntrack. */
  readonly localPort: number;
  /** Sends a line and waits up to timeoutMs for the server's answer. */
  ping(timeoutMs: number): Promise<PingResult>;
  /** Set once the client saw the connection end: 'end', or an error code such as ECONNRESET. */
  readonly closedReason: string | null;
  /** Ends the client (and so the connection). */
  close(): void;
}

/** Opens host:port from `ns` and resolves once the server confirmed it holds the connection. */
export async function holdConnection(
  ns: string,
  host: string,
  port: number,
): Promise<HeldConnection> {
  const child: ChildProcessWithoutNullStreams = spawnIn(ns, [
    NODE,
    HOLD_SCRIPT,
    JSON.stringify({ host, port }),
  ]);
  const listeners = new Set<(e: HoldEvent) => void>();
  let closedReason: string | null = null;
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffered.slice(0, newline)) as HoldEvent;
      buffered = buffered.slice(newline + 1);
      if (event.event === 'closed') closedReason = event.reason ?? 'closed';
      for (const listener of [...listeners]) listener(event);
    }
  });
  const next = (accept: (e: HoldEvent) => boolean, timeoutMs: number, what: string) =>
    new Promise<HoldEvent>((resolve, reject) => {
      const listener = (e: HoldEvent): void => {
        if (!accept(e)) return;
        cleanup();
        resolve(e);
      };
      const onExit = (): void => {
        cleanup();
        reject(
          new Error(`hold ${host}:${port}: client exited while waiting for ${what} ${stderr}`),
        );
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`hold ${host}:${port}: no ${what} within ${timeoutMs} ms ${stderr}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
        child.off('exit', onExit);
      };
      listeners.add(listener);
      child.on('exit', onExit);
    });

  const first = await next(
    (e) => e.event === 'established' || e.event === 'failed',
    ESTABLISH_TIMEOUT_MS,
    'connection',
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  if (first.event !== 'established') {
    child.kill('SIGKILL');
    throw new Error(`hold ${host}:${port}: could not connect (${first.reason ?? '?'})`);
  }
  let counter = 0;
  return {
    host,
    port,
    localPort: first.localPort!,
    get closedReason() {
      return closedReason;
    },
    async ping(timeoutMs) {
      const n = ++counter;
      const answer = next(
        (e) => (e.event === 'pong' || e.event === 'no-reply') && e.n === n,
        timeoutMs + 2000,
        `answer to ping ${n}`,
      );
      child.stdin.write(`ping ${n} ${timeoutMs}\n`);
      const event = await answer;
      if (event.event === 'pong') return 'pong';
      return event.reason === 'closed' ? 'closed' : 'no-reply';
    },
    close() {
      child.stdin.end();
      child.kill('SIGKILL');
    },
  };
}
