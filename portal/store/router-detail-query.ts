// One router as its page reads it: the summary row with its full state and status documents,
// presence, blocked attempts in 24 h and its top LAN sources.
import type { StateDoc, StatusDoc } from '../../contract/message-types.ts';
import type { RouterDetail } from '../core/router-views.ts';
import { HOUR_MS } from '../core/blocked-window.ts';
import { blockedFor } from './blocked-queries.ts';
import type { Db } from './db.ts';
import { desiredFor } from './desired-store.ts';
import type { QueryClock } from './fleet-filter-sql.ts';
import { SUMMARY_COLUMNS, summaryOf, type SummaryRow } from './router-summary-row.ts';
import { topSources } from './top-sources-query.ts';

export async function routerDetail(
  db: Db,
  id: string,
  clock: QueryClock,
): Promise<RouterDetail | null> {
  const { rows } = await db.query<
    SummaryRow & {
      state: StateDoc | null;
      status: StatusDoc | null;
      presence_since: Date | null;
      boot_seen_at: Date | null;
    }
  >(
    `SELECT ${SUMMARY_COLUMNS}, r.state, r.status, r.presence_since, r.boot_seen_at
       FROM routers r WHERE r.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  const since = new Date(Math.floor(clock.nowMs / HOUR_MS) * HOUR_MS - 23 * HOUR_MS).toISOString();
  const blocked = await blockedFor(db, [id], since);
  return {
    ...summaryOf(row, blocked.get(id) ?? 0, await desiredFor(db, [id]), clock),
    presenceSince: row.presence_since?.toISOString() ?? null,
    bootSeenAt: row.boot_seen_at?.toISOString() ?? null,
    state: row.state,
    status: row.status,
    topSources: await topSources(db, id, 10),
  };
}
