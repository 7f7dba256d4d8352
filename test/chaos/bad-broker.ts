// Starts scripts/bad-broker.mjs in a namespace and records when each connection came.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnIn, waitForLine } from '../testbed/index.ts';
import { NODE } from '../testbed/scripts.ts';

const SCRIPT = fileURLToPath(new URL('./scripts/bad-broker.mjs', import.meta.url));

export const BAD_BROKER_MODES = [
  'garbage_connack',
  'close_after_connack',
  'failed_suback',
  'unknown_packet',
  'oversized_packet',
  'silence',
  'slow_drip',
] as const;
export type BadBrokerMode = (typeof BAD_BROKER_MODES)[number];

export interface BadBroker {
  /** Wall-clock ms of every accepted connection so far. */
  readonly accepts: readonly number[];
  stop(): Promise<void>;
}

export async function startBadBroker(
  ns: string,
  host: string,
  port: number,
  mode: BadBrokerMode,
): Promise<BadBroker> {
  const child: ChildProcessWithoutNullStreams = spawnIn(ns, [
    NODE,
    SCRIPT,
    host,
    String(port),
    mode,
  ]);
  const accepts: number[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as { event: string; t?: number };
      buffered = buffered.slice(newline + 1);
      if (line.event === 'accept') accepts.push(line.t!);
    }
  });
  await waitForLine(child, (line) => line.includes('"listening"'), 5000, `bad broker (${mode})`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    accepts,
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
