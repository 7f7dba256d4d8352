// Blocked attempts read from the hourly history: the sums of listed routers since an hour, a
// router's or the fleet's hour buckets, and the routers with the most in a window.
import type { HourBucket, TopBlockedRouter } from '../core/router-views.ts';
import { HOUR_MS, WINDOW_HOURS } from '../core/blocked-window.ts';
import { refreshWindows } from './blocked-window-store.ts';
import type { Db } from './db.ts';
import { topSourcesOf } from './top-sources-query.ts';

export async function blockedFor(
  db: Db,
  ids: string[],
  since: string,
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ router_id: string; blocked: number }>(
    `SELECT router_id, sum(blocked) AS blocked FROM blocked_hourly
      WHERE router_id = ANY($1::text[]) AND hour >= $2 GROUP BY router_id`,
    [ids, since],
  );
  return new Map(rows.map((r) => [r.router_id, r.blocked]));
}

/** Hour buckets, oldest first, every hour of the window present (zero when nothing blocked). */
export async function blockedHistory(
  db: Db,
  id: string | null,
  hours: number,
  nowMs: number,
): Promise<HourBucket[]> {
  const last = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const first = last - (hours - 1) * HOUR_MS;
  // The fleet's sums are kept per hour on write (blocked_fleet_hourly): no scan of the history.
  const { rows } =
    id === null
      ? await db.query<{ hour: Date; blocked: number }>(
          'SELECT hour, blocked FROM blocked_fleet_hourly WHERE hour >= $1',
          [new Date(first).toISOString()],
        )
      : await db.query<{ hour: Date; blocked: number }>(
          `SELECT hour, blocked FROM blocked_hourly WHERE router_id = $2 AND hour >= $1`,
          [new Date(first).toISOString(), id],
        );
  const byHour = new Map(rows.map((r) => [r.hour.getTime(), r.blocked]));
  const buckets: HourBucket[] = [];
  for (let t = first; t <= last; t += HOUR_MS)
    buckets.push({ hour: new Date(t).toISOString(), blocked: byHour.get(t) ?? 0 });
  return buckets;
}

export async function topBlocked(
  db: Db,
  hours: number,
  limit: number,
  nowMs: number,
): Promise<TopBlockedRouter[]> {
  let rows: { id: string; model: string | null; blocked: number }[];
  if (hours === WINDOW_HOURS) {
    await refreshWindows(db, nowMs);
    ({ rows } = await db.query(
      `SELECT id, model, blocked_24h AS blocked FROM routers WHERE blocked_24h > 0
        ORDER BY blocked_24h DESC, id LIMIT $1`,
      [limit],
    ));
  } else {
    // Another window: summed from the history (slow at a large fleet; 24 h is kept on write).
    const since = new Date(Math.floor(nowMs / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS);
    ({ rows } = await db.query(
      `SELECT b.router_id AS id, r.model, sum(b.blocked) AS blocked
         FROM blocked_hourly b JOIN routers r ON r.id = b.router_id
        WHERE b.hour >= $1 GROUP BY b.router_id, r.model
        ORDER BY blocked DESC, id LIMIT $2`,
      [since.toISOString(), limit],
    ));
  }
  const sources = await topSourcesOf(
    db,
    rows.map((r) => r.id),
    5,
  );
  return rows.map((r) => ({ ...r, topSources: sources.get(r.id) ?? [] }));
}
