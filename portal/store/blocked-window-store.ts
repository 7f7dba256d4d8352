// Moves the stored 24 h windows (routers.blocked_24h, portal/core/blocked-window.ts) on to the
// current hour for routers that did not report since the hour turned, so hours that left the
// window stop counting. Only rows with something blocked can be wrong, and a partial index
// (migration 002) finds them: once the hour has been done this is one empty index probe.
import { HOUR_MS, windowStart } from '../core/blocked-window.ts';
import type { Db } from './db.ts';

export async function refreshWindows(db: Db, nowMs: number): Promise<void> {
  const hour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  // Rows locked in id order, as ingest locks them, so the two never deadlock on a server.
  await db.query(
    `WITH stale AS (
       SELECT id FROM routers WHERE blocked_24h > 0 AND blocked_24h_hour < $1 ORDER BY id FOR UPDATE
     )
     UPDATE routers r
        SET blocked_24h = COALESCE((SELECT sum(b.blocked) FROM blocked_hourly b
                                     WHERE b.router_id = r.id AND b.hour >= $2), 0),
            blocked_24h_hour = $1
       FROM stale WHERE r.id = stale.id`,
    [new Date(hour).toISOString(), new Date(windowStart(hour)).toISOString()],
  );
}
