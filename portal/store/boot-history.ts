// A router's ended runs (boot ids), newest first: written by migration 003's triggers when the
// router's boot changes, at most BOOTS_KEPT per router. Read here, one page at a time.
import type { BootEnd, BootRecord } from '../core/router-views.ts';
import type { Db } from './db.ts';

interface Row {
  boot: string;
  agent_version: string | null;
  first_seen: Date | null;
  ended_at: Date;
  ended_by: BootEnd;
  total: number;
}

/** A page of the router's ended runs, newest first, and how many are kept in all. */
export async function bootHistory(
  db: Db,
  id: string,
  limit: number,
  offset: number,
): Promise<{ items: BootRecord[]; total: number }> {
  // At most BOOTS_KEPT rows per router: counting them with the page costs nothing.
  const { rows } = await db.query<Row>(
    `SELECT boot, agent_version, first_seen, ended_at, ended_by, count(*) OVER () AS total
       FROM router_boots WHERE router_id = $1
      ORDER BY ended_at DESC, boot DESC LIMIT $2 OFFSET $3`,
    [id, limit, offset],
  );
  const total =
    rows[0]?.total ??
    (offset > 0
      ? (
          await db.query<{ n: number }>(
            'SELECT count(*) AS n FROM router_boots WHERE router_id = $1',
            [id],
          )
        ).rows[0]!.n
      : 0);
  return {
    items: rows.map((r) => ({
      boot: r.boot,
      agentVersion: r.agent_version,
      firstSeen: r.first_seen?.toISOString() ?? null,
      endedAt: r.ended_at.toISOString(),
      endedBy: r.ended_by,
    })),
    total,
  };
}
