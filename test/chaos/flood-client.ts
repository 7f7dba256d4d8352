// Drives scripts/flood.mjs in a namespace: hands it groups of payloads, each closed by a marker
// command, and gets back the replies of each group.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnIn } from '../testbed/index.ts';
import { NODE } from '../testbed/scripts.ts';

const SCRIPT = fileURLToPath(new URL('./scripts/flood.mjs', import.meta.url));

export interface FloodItem {
  readonly topic: string;
  readonly bytes: Uint8Array;
  readonly retain?: boolean;
}

export interface FloodMarker extends FloodItem {
  /** The id its reply echoes. */
  readonly id: string;
}

export interface GroupResult {
  /** Replies before the marker's, in order: one per item unless some went unanswered. */
  readonly replies: readonly string[];
  /** The marker's reply came (else the router may have dropped its connection). */
  readonly marker: boolean;
  readonly ms: number;
  readonly reconnected: boolean;
}

export interface FloodSettings {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly replyTopic: string;
  readonly stateTopic: string;
  readonly timeoutMs: number;
}

export interface Flood {
  group(items: readonly FloodItem[], marker: FloodMarker): Promise<GroupResult>;
  close(): void;
}

const wire = (i: FloodItem) => ({
  topic: i.topic,
  b64: Buffer.from(i.bytes).toString('base64'),
  retain: i.retain ?? false,
});

export function startFlood(ns: string, settings: FloodSettings): Flood {
  const child: ChildProcessWithoutNullStreams = spawnIn(ns, [
    NODE,
    SCRIPT,
    JSON.stringify(settings),
  ]);
  type Line = Partial<GroupResult> & { seq: number; error?: string };
  const pending = new Map<number, (line: Line) => void>();
  let seq = 0;
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as Line;
      buffered = buffered.slice(newline + 1);
      pending.get(line.seq)?.(line);
      pending.delete(line.seq);
    }
  });
  child.on('exit', () => {
    for (const [id, resolve] of pending)
      resolve({ seq: id, error: `flood exited: ${stderr.trim()}` });
    pending.clear();
  });
  return {
    group: (items, marker) =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, (line) =>
          line.error || !line.replies
            ? reject(new Error(line.error))
            : resolve(line as GroupResult),
        );
        const request = {
          seq: id,
          items: items.map(wire),
          marker: { ...wire(marker), id: marker.id },
        };
        child.stdin.write(`${JSON.stringify(request)}\n`);
      }),
    close: () => {
      child.stdin.end();
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 1000).unref();
    },
  };
}
