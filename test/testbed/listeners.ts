// TCP listeners ("220 ready", then close) inside a namespace, for IPv4 and IPv6 at once.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnIn, waitForLine } from './exec.ts';
import { LISTEN_SCRIPT, NODE } from './scripts.ts';

const READY_TIMEOUT_MS = 5000;

export interface Listener {
  readonly ns: string;
  readonly ports: readonly number[];
  readonly pid: number;
  readonly child: ChildProcessWithoutNullStreams;
}

/** Listens on every port, on 0.0.0.0 and on :: (IPv6 only), and resolves once all are bound. */
export async function startListener(ns: string, ports: readonly number[]): Promise<Listener> {
  const specs = ports.flatMap((port) => [
    { host: '0.0.0.0', port },
    { host: '::', port },
  ]);
  const child = spawnIn(ns, [NODE, LISTEN_SCRIPT, JSON.stringify(specs)]);
  await waitForLine(child, (line) => line === 'ready', READY_TIMEOUT_MS, `listener in ${ns}`);
  return { ns, ports, pid: child.pid!, child };
}
