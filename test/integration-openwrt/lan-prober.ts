// A prober (prober.mjs) on a LAN host that keeps connecting to its targets while the WAN
// changes, and the record of every attempt.
import { fileURLToPath } from 'node:url';
import { NODE } from '../testbed/scripts.ts';
import { spawnIn } from '../testbed/exec.ts';
import type { Testbed } from '../testbed/testbed.ts';

const PROBER_SCRIPT = fileURLToPath(new URL('./prober.mjs', import.meta.url));

export interface ProbeRecord {
  readonly host: string;
  readonly port: number;
  readonly result: 'connected' | 'refused' | 'timeout' | 'error';
  readonly ms: number;
  /** Milliseconds since the prober started. */
  readonly at: number;
}

export interface Prober {
  records(): ProbeRecord[];
  /** Marks a point in time: records after it are what happened since. */
  mark(): number;
  stop(): Promise<ProbeRecord[]>;
}

/** Connects from `from` to each target in turn, again and again, until stopped. */
export function startProber(
  bed: Testbed,
  from: 'lan1' | 'lan2',
  targets: readonly { host: string; port: number }[],
  timeoutMs = 400,
): Prober {
  const child = spawnIn(bed.ns[from], [
    NODE,
    PROBER_SCRIPT,
    JSON.stringify({ targets, timeoutMs }),
  ]);
  const records: ProbeRecord[] = [];
  let partial = '';
  child.stdout.on('data', (b: Buffer) => {
    const lines = (partial + b.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) records.push(JSON.parse(line) as ProbeRecord);
  });
  child.stderr.on('data', () => {});
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    records: () => records,
    mark: () => records.length,
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      return records;
    },
  };
}
