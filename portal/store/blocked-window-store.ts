// Moves the stored 24 h windows (routers.blocked_24h, portal/core/blocked-window.ts) on to the
// current hour for routers that did not report since the hour turned, so hours that left the
// window stop counting. Only rows with something blocked can be wrong, and a partial index
// (migration 002) finds them: once the hour has been done this is one empty index probe.
//
// Right after an hour turns every such router is stale at once (100,000 of them took 4-5 s on
// PGlite in one statement, and PGlite has one connection): they are done in chunks, so ingest
// and reads get between them, and the service starts this as the hour turns
// (start-fleet-service.ts), so a reader rarely waits for it. Rewriting that many rows leaves
// PGlite's planner statistics stale (a fleet list then took 100-200 ms instead of 1-3 ms until
// the next periodic ANALYZE): PGlite, which has no autovacuum to notice, analyzes after.
import { HOUR_MS, windowStart } from '../core/blocked-window.ts';
import type { Db } from './db.ts';

/** Routers moved per statement. */
export const REFRESH_CHUNK = 5_000;
/** After moving this many routers, PGlite's statistics of `routers` are taken again. */
export const ANALYZE_AFTER = 1_000;

/** Returns how many routers' windows were moved. */
export async function refreshWindows(
  db: Db,
  nowMs: number,
  chunk: number = REFRESH_CHUNK,
): Promise<number> {
  const hour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const params = [new Date(hour).toISOString(), new Date(windowStart(hour)).toISOString(), chunk];
  let moved = 0;
  for (;;) {
    // Rows locked in id order, as ingest locks them, so the two never deadlock on a server. A
    // chunk may come back short while another instance holds some of its rows: only an empty
    // one means done.
    const { rows } = await db.query<{ n: number }>(
      `WITH stale AS (
         SELECT id FROM routers WHERE blocked_24h > 0 AND blocked_24h_hour < $1
          ORDER BY id LIMIT $3 FOR UPDATE
       ), moved AS (
         UPDATE routers r
            SET blocked_24h = COALESCE((SELECT sum(b.blocked) FROM blocked_hourly b
                                         WHERE b.router_id = r.id AND b.hour >= $2), 0),
                blocked_24h_hour = $1
           FROM stale WHERE r.id = stale.id
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM moved`,
      params,
    );
    const n = rows[0]?.n ?? 0;
    if (n === 0) break;
    moved += n;
  }
  if (moved >= ANALYZE_AFTER && db.kind === 'pglite') await db.exec('ANALYZE routers');
  return moved;
}
