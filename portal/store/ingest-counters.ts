// Ingest's counter tables, one multi-row upsert each: blocked packets per router and hour, per
// LAN source, and the whole fleet's per hour. Keys are "<router id>\n<hour or address>".
import type { Db } from './db.ts';

/** Blocked-packet deltas per router and hour (ISO hour), added to the stored ones. */
export async function addHourly(tx: Db, hourly: Map<string, number>): Promise<void> {
  if (hourly.size > 0)
    await tx.query(
      `INSERT INTO blocked_hourly (router_id, hour, blocked)
         SELECT x.router_id, x.hour, x.blocked
           FROM jsonb_to_recordset($1::jsonb) AS x(router_id text, hour timestamptz, blocked bigint)
       ON CONFLICT (router_id, hour) DO UPDATE SET blocked = blocked_hourly.blocked + EXCLUDED.blocked`,
      [JSON.stringify([...hourly].map(([key, blocked]) => splitKey(key, 'hour', { blocked })))],
    );
}

/** Attempts per router and LAN source, summed with the stored ones; `at` in epoch ms. */
export async function addSources(
  tx: Db,
  sources: Map<string, { attempts: number; at: number }>,
): Promise<void> {
  if (sources.size > 0)
    await tx.query(
      `INSERT INTO router_sources (router_id, address, attempts, last_seen)
         SELECT x.router_id, x.address, x.attempts, x.last_seen
           FROM jsonb_to_recordset($1::jsonb)
                AS x(router_id text, address text, attempts bigint, last_seen timestamptz)
       ON CONFLICT (router_id, address) DO UPDATE
         SET attempts = router_sources.attempts + EXCLUDED.attempts,
             last_seen = GREATEST(router_sources.last_seen, EXCLUDED.last_seen)`,
      [
        JSON.stringify(
          [...sources].map(([key, v]) =>
            splitKey(key, 'address', {
              attempts: v.attempts,
              last_seen: new Date(v.at).toISOString(),
            }),
          ),
        ),
      ],
    );
}

/** The fleet-wide per-hour sums, in hour order (two instances lock the rows alike). */
export async function addFleetHours(tx: Db, hourly: Map<string, number>): Promise<number> {
  if (hourly.size === 0) return 0;
  const byHour = new Map<string, number>();
  for (const [key, blocked] of hourly) {
    const hour = key.split('\n')[1]!;
    byHour.set(hour, (byHour.get(hour) ?? 0) + blocked);
  }
  const hours = [...byHour.keys()].sort();
  await tx.query(
    `INSERT INTO blocked_fleet_hourly (hour, blocked)
       SELECT * FROM unnest($1::timestamptz[], $2::bigint[])
     ON CONFLICT (hour) DO UPDATE SET blocked = blocked_fleet_hourly.blocked + EXCLUDED.blocked`,
    [hours, hours.map((h) => byHour.get(h)!)],
  );
  return hours.length;
}

function splitKey(key: string, second: string, rest: Record<string, unknown>) {
  const [routerId, value] = key.split('\n') as [string, string];
  return { router_id: routerId, [second]: value, ...rest };
}
