// Change events across portal instances. Each instance hears only what it ingests or does itself
// (with a shared subscription, a share of the routers' messages), yet an event stream on any
// instance must show every change. So each instance also sends its events to the others through
// PostgreSQL's NOTIFY on one channel and hands theirs to its own listeners. A PGlite directory has
// one instance: there is nothing to relay. Events are best-effort, as the stream itself is: one
// lost while the LISTEN connection is down is not sent again (a client reloads what it shows).
import { randomUUID } from 'node:crypto';
import type { FleetEvent } from '../core/fleet-event.ts';
import type { RolloutRecord } from '../core/rollout.ts';
import type { Db } from '../store/db.ts';

export const EVENT_CHANNEL = 'op25b_fleet_events';
// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; keep well below.
export const MAX_PAYLOAD = 7000;
const RELISTEN_MS = 2000;

/** What one NOTIFY carries: the sender, its events, and rollouts too large to carry. */
interface Notice {
  readonly from: string;
  readonly events: FleetEvent[];
  readonly rollouts?: string[];
}

export interface EventRelay {
  /** Sends an event of this instance to the others (coalesced into few NOTIFYs). */
  send(event: FleetEvent): void;
  stop(): Promise<void>;
}

export interface EventRelayDeps {
  readonly db: Db;
  /** Hands an event of another instance to this instance's listeners. */
  readonly deliver: (event: FleetEvent) => void;
  readonly loadRollout: (id: string) => Promise<RolloutRecord | null>;
  readonly log: (line: string) => void;
}

const bytes = (text: string) => Buffer.byteLength(text);

/** Splits events into notices of less than MAX_PAYLOAD bytes each; pure. */
export function packNotices(from: string, events: readonly FleetEvent[]): string[] {
  const out: string[] = [];
  const head = `{"from":${JSON.stringify(from)},"events":[`;
  let parts: string[] = [];
  let size = bytes(head) + 2;
  let rollouts: string[] = [];
  const flush = () => {
    if (parts.length === 0 && rollouts.length === 0) return;
    const tail = rollouts.length ? `],"rollouts":${JSON.stringify(rollouts)}}` : ']}';
    out.push(`${head}${parts.join(',')}${tail}`);
    parts = [];
    rollouts = [];
    size = bytes(head) + 2;
  };
  for (const event of events) {
    let text = JSON.stringify(event);
    if (bytes(head) + bytes(text) + 2 > MAX_PAYLOAD) {
      // Too large for one notice: the others load the rollout, or see the router change.
      if (event.type === 'rollout') {
        flush();
        rollouts = [event.rollout.id];
        flush();
        continue;
      }
      text = JSON.stringify({ type: 'router', id: event.type === 'reply' ? event.routerId : '' });
    }
    if (size + bytes(text) + 1 > MAX_PAYLOAD) flush();
    parts.push(text);
    size += bytes(text) + 1;
  }
  flush();
  return out;
}

export async function startEventRelay(deps: EventRelayDeps): Promise<EventRelay> {
  const { db, log } = deps;
  if (db.kind !== 'postgres') return { send: () => {}, stop: async () => {} };
  const self = randomUUID();
  let queue: FleetEvent[] = [];
  let sending: Promise<void> = Promise.resolve();
  let stopped = false;
  let unlisten: (() => Promise<void>) | null = null;
  let retry: NodeJS.Timeout | null = null;

  const received = (payload: string) => {
    let notice: Notice;
    try {
      notice = JSON.parse(payload) as Notice;
    } catch {
      return;
    }
    if (notice.from === self) return;
    for (const event of notice.events ?? []) deps.deliver(event);
    for (const id of notice.rollouts ?? [])
      void deps.loadRollout(id).then(
        (rollout) => rollout && deps.deliver({ type: 'rollout', rollout }),
        () => {},
      );
  };
  const listen = async (): Promise<void> => {
    try {
      unlisten = await db.listen(EVENT_CHANNEL, received, (error) => {
        unlisten = null;
        if (stopped) return;
        log(`event relay: LISTEN connection lost (${error.message}); listening again`);
        retry = setTimeout(() => void listen(), RELISTEN_MS);
      });
    } catch (error) {
      if (stopped) return;
      log(`event relay: cannot LISTEN (${(error as Error).message}); trying again`);
      retry = setTimeout(() => void listen(), RELISTEN_MS);
    }
  };
  await listen();

  const flush = () => {
    const events = queue;
    queue = [];
    const notices = packNotices(self, events);
    sending = sending.then(async () => {
      try {
        await db.query(`SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n`, [
          EVENT_CHANNEL,
          notices,
        ]);
      } catch (error) {
        log(`event relay: ${events.length} events not sent: ${(error as Error).message}`);
      }
    });
  };
  return {
    send(event) {
      if (stopped) return;
      if (queue.length === 0) setImmediate(flush);
      queue.push(event);
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (queue.length) flush();
      await sending;
      await unlisten?.();
    },
  };
}
