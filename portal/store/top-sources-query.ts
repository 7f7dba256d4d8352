// The LAN hosts that tried port 25 the most (router_sources): of one router, or of several
// in one query.
import type { TopSource } from '../../contract/message-types.ts';
import type { Db } from './db.ts';

export async function topSources(db: Db, id: string, limit: number): Promise<TopSource[]> {
  const { rows } = await db.query<TopSource>(
    `SELECT address, attempts FROM router_sources WHERE router_id = $1
      ORDER BY attempts DESC, address LIMIT $2`,
    [id, limit],
  );
  return rows;
}

/** The top LAN sources of several routers in one query. */
export async function topSourcesOf(
  db: Db,
  ids: string[],
  limit: number,
): Promise<Map<string, TopSource[]>> {
  const out = new Map<string, TopSource[]>();
  if (ids.length === 0) return out;
  const { rows } = await db.query<TopSource & { id: string }>(
    `SELECT t.id, s.address, s.attempts FROM unnest($1::text[]) AS t(id)
       CROSS JOIN LATERAL (SELECT address, attempts FROM router_sources WHERE router_id = t.id
                            ORDER BY attempts DESC, address LIMIT $2) s`,
    [ids, limit],
  );
  for (const { id, address, attempts } of rows) {
    const list = out.get(id) ?? [];
    list.push({ address, attempts });
    out.set(id, list);
  }
  return out;
}
