// Writes what routers report, in batches: one transaction per batch, the rows of the batch's
// routers locked (in id order, so two instances never deadlock), the core rules applied in
// memory, then one multi-row upsert per table. A message taken twice changes nothing (the core
// calls it a duplicate), so shared subscriptions that deliver retained messages again are safe.
import type { StateDoc, StatusDoc } from '../../contract/message-types.ts';
import { advance, needsRecount, nextEnd, windowStart } from '../core/blocked-window.ts';
import { hourOf, statusEffect } from '../core/counters.ts';
import { applyState } from '../core/presence.ts';
import type { Db } from './db.ts';
import { addFleetHours, addHourly, addSources } from './ingest-counters.ts';
import {
  deviceKey,
  fromRow,
  newRecord,
  readRows,
  routerRow,
  type Current,
} from './ingest-record.ts';
import type { RowsWritten } from './pglite-vacuum.ts';
import { updateStatuses, upsertRouters, type RouterRow } from './router-rows.ts';

export interface RouterMessage<D> {
  readonly id: string;
  readonly doc: D;
  readonly receivedAtMs: number;
}

export interface IngestBatch {
  readonly states: readonly RouterMessage<StateDoc>[];
  readonly statuses: readonly RouterMessage<StatusDoc>[];
}

export interface IngestOutcome {
  /** Routers whose record changed. */
  readonly changed: string[];
  /** Routers that went from offline (or unknown) to online in this batch. */
  readonly cameOnline: string[];
  readonly ignored: number;
  /** Rows written per table (PGlite's vacuum keeper counts them, portal/store/pglite-vacuum.ts). */
  readonly written: RowsWritten;
}

export async function ingestBatch(db: Db, batch: IngestBatch): Promise<IngestOutcome> {
  const ids = [...new Set([...batch.states, ...batch.statuses].map((m) => m.id))].sort();
  if (ids.length === 0) return { changed: [], cameOnline: [], ignored: 0, written: {} };
  return db.transaction(async (tx) => {
    const rows = await readRows(tx, ids);
    const byId = new Map<string, Current>();
    for (const row of rows) byId.set(row.id, fromRow(row));
    const hourly = new Map<string, number>();
    const sources = new Map<string, { attempts: number; at: number }>();
    let ignored = 0;
    const touch = (id: string, at: number): Current => {
      let current = byId.get(id);
      if (!current) {
        current = newRecord(at);
        byId.set(id, current);
      }
      current.lastSeen = Math.max(current.lastSeen, at);
      return current;
    };
    const changed = new Set<string>();
    for (const m of batch.states) {
      const current = byId.get(m.id) ?? touch(m.id, m.receivedAtMs);
      const next = applyState(current.presence, m.doc);
      if (!next) {
        ignored++;
        continue;
      }
      touch(m.id, m.receivedAtMs);
      current.presence = next;
      current.state = m.doc;
      current.stateChanged = true;
      changed.add(m.id);
    }
    for (const m of batch.statuses) {
      const current = byId.get(m.id) ?? touch(m.id, m.receivedAtMs);
      const effect = statusEffect(current.basis, m.doc);
      if (effect.duplicate) {
        ignored++;
        continue;
      }
      touch(m.id, m.receivedAtMs);
      current.basis = effect.basis;
      current.status = m.doc;
      current.statusReceivedAt = m.receivedAtMs;
      changed.add(m.id);
      const hourMs = hourOf(m.receivedAtMs).getTime();
      current.statusHours.push(hourMs);
      if (effect.blockedDelta > 0) {
        const key = `${m.id}\n${new Date(hourMs).toISOString()}`;
        hourly.set(key, (hourly.get(key) ?? 0) + effect.blockedDelta);
        current.deltas.push({ hourMs, blocked: effect.blockedDelta });
      }
      for (const s of effect.sourceDeltas) {
        const key = `${m.id}\n${s.address}`;
        const prior = sources.get(key);
        sources.set(key, {
          attempts: (prior?.attempts ?? 0) + s.attempts,
          at: m.receivedAtMs,
        });
      }
    }
    await moveWindows(tx, byId);
    const upserts = [...changed].sort().map((id) => routerRow(id, byId.get(id)!));
    const statusOnly = (r: RouterRow) => byId.get(r.id)!.device !== null && r.state_at === null;
    await updateStatuses(tx, upserts.filter(statusOnly));
    await upsertRouters(
      tx,
      upserts.filter((r) => !statusOnly(r)),
    );
    const searched = await updateSearch(tx, upserts, byId);
    await addHourly(tx, hourly);
    await addSources(tx, sources);
    const fleetHours = await addFleetHours(tx, hourly);
    const cameOnline = [...changed].filter((id) => {
      const c = byId.get(id)!;
      return c.stateChanged && c.presence?.online === true && !c.wasOnline;
    });
    const written = {
      routers: upserts.length,
      router_search: searched,
      blocked_hourly: hourly.size,
      router_sources: sources.size,
      blocked_fleet_hourly: fleetHours,
    };
    return { changed: [...changed], cameOnline, ignored, written };
  });
}

/** The search rows of new routers and of routers whose model, board or release changed. */
async function updateSearch(
  tx: Db,
  upserts: readonly RouterRow[],
  byId: Map<string, Current>,
): Promise<number> {
  const rows = upserts.filter((r) => {
    const before = byId.get(r.id)!.device;
    return (
      before === null || (r.status !== null && before !== deviceKey(r.model, r.board, r.release))
    );
  });
  if (rows.length === 0) return 0;
  await tx.query(
    `INSERT INTO router_search (id, text)
       SELECT r.id, lower(concat_ws(E'\n', r.id, r.model, r.board, r.release))
         FROM routers r WHERE r.id = ANY($1::text[])
     ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text`,
    [rows.map((r) => r.id)],
  );
  return rows.length;
}

/** Moves each reporting router's 24 h window on (one recount query for those that need it). */
async function moveWindows(tx: Db, byId: Map<string, Current>): Promise<void> {
  const recount: { id: string; since: string }[] = [];
  const ends = new Map<string, number>();
  for (const [id, c] of byId) {
    if (c.statusHours.length === 0) continue;
    const end = nextEnd(c.window, c.statusHours);
    ends.set(id, end);
    if (needsRecount(c.window, end))
      recount.push({ id, since: new Date(windowStart(end)).toISOString() });
  }
  const counted = new Map<string, number>();
  if (recount.length > 0) {
    // The stored history only: this batch's deltas are not inserted yet.
    const { rows } = await tx.query<{ id: string; blocked: number }>(
      `SELECT x.id, COALESCE(sum(b.blocked), 0) AS blocked
         FROM unnest($1::text[], $2::timestamptz[]) AS x(id, since)
         LEFT JOIN blocked_hourly b ON b.router_id = x.id AND b.hour >= x.since
        GROUP BY x.id`,
      [recount.map((r) => r.id), recount.map((r) => r.since)],
    );
    for (const row of rows) counted.set(row.id, row.blocked);
  }
  for (const [id, end] of ends) {
    const c = byId.get(id)!;
    const base = c.window.endMs === end ? c.window.total : (counted.get(id) ?? 0);
    c.window = advance(base, end, c.deltas);
  }
}
