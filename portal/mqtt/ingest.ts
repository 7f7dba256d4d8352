// Ingest: every router message is size-checked, parsed, validated against schemas/ and batched
// (up to maxBatch messages or maxDelayMs), then handed to `handle` one batch at a time per lane.
// A router's messages always take the same lane (by its id), so they are stored in the order they
// came; lanes run side by side (on PostgreSQL, each on a connection of its own, as two instances
// would). A bad message is counted and logged once per router and window; it never stops ingest,
// and neither does a failed batch (logged, counted, dropped: the next status brings the router up
// to date).
import type { MqttClient } from 'mqtt';
import type { ReplyDoc, StateDoc, StatusDoc } from '../../contract/message-types.ts';
import { validateMessage } from '../../contract/validate.ts';
import type { ReplyMessage } from '../store/action-store.ts';
import type { IngestBatch, RouterMessage } from '../store/router-ingest.ts';
import { ingestTopics, parseRouterTopic } from './router-topic.ts';

export interface RouterBatch extends IngestBatch {
  readonly replies: readonly ReplyMessage[];
}

export interface IngestStats {
  received: number;
  invalid: number;
  handled: number;
  batches: number;
  failedBatches: number;
}

export interface IngestOptions {
  readonly client: MqttClient;
  readonly prefix: string;
  readonly shareGroup?: string;
  readonly maxPayloadBytes: number;
  readonly handle: (batch: RouterBatch) => Promise<void>;
  readonly log: (line: string) => void;
  readonly maxBatch?: number;
  readonly maxDelayMs?: number;
  /** Batches handled at once, each for its share of the routers (default 1). */
  readonly lanes?: number;
  /** Invalid messages of one router are logged once per this window. */
  readonly logWindowMs?: number;
}

export interface Ingest {
  readonly stats: IngestStats;
  /** Resolves when everything received so far has been handled. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

interface Lane {
  states: RouterMessage<StateDoc>[];
  statuses: RouterMessage<StatusDoc>[];
  replies: ReplyMessage[];
  timer: NodeJS.Timeout | null;
  running: Promise<void>;
}

function newLane(): Lane {
  return { states: [], statuses: [], replies: [], timer: null, running: Promise.resolve() };
}

const waiting = (lane: Lane) => lane.states.length + lane.statuses.length + lane.replies.length;

/** The lane of a router: FNV-1a of its id, so it never changes while the service runs. */
export function laneOf(id: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

export async function startIngest(o: IngestOptions): Promise<Ingest> {
  const maxBatch = o.maxBatch ?? 1000;
  const maxDelayMs = o.maxDelayMs ?? 50;
  const logWindowMs = o.logWindowMs ?? 60_000;
  const stats: IngestStats = { received: 0, invalid: 0, handled: 0, batches: 0, failedBatches: 0 };
  const lanes = Array.from({ length: Math.max(1, o.lanes ?? 1) }, newLane);
  let windowStart = Date.now();
  const loggedThisWindow = new Map<string, number>();

  const invalid = (id: string, why: string) => {
    stats.invalid++;
    const now = Date.now();
    if (now - windowStart >= logWindowMs) {
      for (const [router, suppressed] of loggedThisWindow)
        if (suppressed > 0) o.log(`ingest: ${suppressed} more invalid messages from ${router}`);
      loggedThisWindow.clear();
      windowStart = now;
    }
    const suppressed = loggedThisWindow.get(id);
    if (suppressed === undefined) {
      // Bounded: at most one entry per router seen in this window.
      loggedThisWindow.set(id, 0);
      o.log(`ingest: invalid message from ${JSON.stringify(id)}: ${why}`);
    } else loggedThisWindow.set(id, suppressed + 1);
  };

  const flush = (lane: Lane) => {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    const size = waiting(lane);
    if (size === 0) return;
    const batch: RouterBatch = {
      states: lane.states,
      statuses: lane.statuses,
      replies: lane.replies,
    };
    lane.states = [];
    lane.statuses = [];
    lane.replies = [];
    lane.running = lane.running.then(async () => {
      try {
        await o.handle(batch);
        stats.handled += size;
        stats.batches++;
      } catch (error) {
        stats.failedBatches++;
        o.log(`ingest: a batch of ${size} messages failed: ${(error as Error).message}`);
      }
    });
  };

  const onMessage = (topic: string, payload: Buffer) => {
    stats.received++;
    const where = parseRouterTopic(o.prefix, topic);
    if (!where) return invalid(topic.slice(0, 200), 'not a router topic');
    if (payload.length > o.maxPayloadBytes)
      return invalid(where.id, `${where.kind} of ${payload.length} bytes is over the limit`);
    if (payload.length === 0) return; // a cleared retained message: nothing to learn
    let doc: unknown;
    try {
      doc = JSON.parse(payload.toString('utf8'));
    } catch {
      return invalid(where.id, `${where.kind} is not JSON`);
    }
    const check = validateMessage(where.kind, doc);
    if (!check.valid)
      return invalid(where.id, `${where.kind}: ${check.errors.slice(0, 3).join('; ')}`);
    const receivedAtMs = Date.now();
    const lane = lanes[laneOf(where.id, lanes.length)]!;
    if (where.kind === 'state')
      lane.states.push({ id: where.id, doc: doc as StateDoc, receivedAtMs });
    else if (where.kind === 'status') {
      const status = doc as StatusDoc;
      if (status.device.id !== where.id)
        return invalid(where.id, `status of device ${JSON.stringify(status.device.id)}`);
      lane.statuses.push({ id: where.id, doc: status, receivedAtMs });
    } else lane.replies.push({ id: where.id, doc: doc as ReplyDoc, receivedAtMs });
    if (waiting(lane) >= maxBatch) flush(lane);
    else lane.timer ??= setTimeout(() => flush(lane), maxDelayMs);
  };

  o.client.on('message', onMessage);
  await o.client.subscribeAsync(ingestTopics(o.prefix, o.shareGroup), { qos: 1 });
  const drain = async () => {
    for (const lane of lanes) flush(lane);
    for (const lane of lanes) {
      let last: Promise<void>;
      do {
        last = lane.running;
        await last;
      } while (last !== lane.running);
    }
  };
  return {
    stats,
    drain,
    stop: async () => {
      o.client.off('message', onMessage);
      await drain();
    },
  };
}
