// Per-router blocked packets per hour for a page of the fleet list (its sparklines): one query
// for all the page's routers, every hour of the window present.
import type { RouterBlockedSeries } from '../core/router-views.ts';
import type { Db } from './db.ts';

const HOUR_MS = 3_600_000;

export async function blockedSeries(
  db: Db,
  ids: readonly string[],
  hours: number,
  nowMs: number,
): Promise<RouterBlockedSeries[]> {
  const last = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const first = last - (hours - 1) * HOUR_MS;
  const series = new Map(ids.map((id) => [id, new Array<number>(hours).fill(0)]));
  if (ids.length > 0) {
    const { rows } = await db.query<{ router_id: string; hour: Date; blocked: number }>(
      `SELECT router_id, hour, blocked FROM blocked_hourly
        WHERE router_id = ANY($1::text[]) AND hour >= $2`,
      [[...series.keys()], new Date(first).toISOString()],
    );
    for (const row of rows) {
      const slot = Math.round((row.hour.getTime() - first) / HOUR_MS);
      const counts = series.get(row.router_id);
      if (counts && slot >= 0 && slot < hours) counts[slot]! += Number(row.blocked);
    }
  }
  return [...series].map(([id, blocked]) => ({ id, blocked }));
}
