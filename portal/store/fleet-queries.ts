// The fleet list: one page of routers matching a FleetQuery in the asked order, with the total
// (counted, or the planner's estimate for a broad filter), and every matching id for bulk
// actions. The filter's SQL: fleet-filter-sql.ts; one router: router-detail-query.ts; blocked
// attempts: blocked-queries.ts (the overview's counts: fleet-summary.ts). Re-exported here
// for the modules that read the fleet through this one.
import type { FleetQuery, SortKey } from '../core/fleet-query.ts';
import type { RouterSummary } from '../core/router-views.ts';
import { WINDOW_HOURS } from '../core/blocked-window.ts';
import { blockedFor } from './blocked-queries.ts';
import { refreshWindows } from './blocked-window-store.ts';
import type { Db } from './db.ts';
import { desiredFor } from './desired-store.ts';
import { blockedSum, whereClause, type Filter, type QueryClock } from './fleet-filter-sql.ts';
import { SUMMARY_COLUMNS, summaryOf, type SummaryRow } from './router-summary-row.ts';

export { blockedHistory, topBlocked } from './blocked-queries.ts';
export type { QueryClock } from './fleet-filter-sql.ts';
export { routerDetail } from './router-detail-query.ts';

// Each as its index (migration 002) orders it: nullable columns nulls first ascending.
const SORT_SQL: Record<
  Exclude<SortKey, 'blocked' | 'id'>,
  { column: string; nullable: boolean }
> = {
  last_seen: { column: 'r.last_seen', nullable: false },
  first_seen: { column: 'r.first_seen', nullable: false },
  model: { column: 'r.model', nullable: true },
  applied_version: { column: 'r.applied_version', nullable: true },
};

export async function listRouters(
  db: Db,
  q: FleetQuery,
  clock: QueryClock,
): Promise<{ items: RouterSummary[]; total: number; totalEstimated: boolean }> {
  const stored = q.blockedHours === WINDOW_HOURS;
  if (stored) await refreshWindows(db, clock.nowMs);
  const params: unknown[] = [];
  const { sql: where, blockedSince } = whereClause(q, clock, params);
  const since = new Date(blockedSince).toISOString();
  const dir = q.order === 'desc' ? 'DESC' : 'ASC';
  const pageParams = [...params];
  let order: string;
  if (q.sort === 'id') order = `r.id ${dir}`;
  else if (q.sort === 'blocked') {
    if (stored) order = `r.blocked_24h ${dir}, r.id ${dir}`;
    else {
      pageParams.push(since);
      order = `${blockedSum(`$${pageParams.length}`)} ${dir}, r.id ${dir}`;
    }
  } else {
    const key = SORT_SQL[q.sort];
    const nulls = key.nullable ? (q.order === 'desc' ? ' NULLS LAST' : ' NULLS FIRST') : '';
    order = `${key.column} ${dir}${nulls}, r.id ${dir}`;
  }
  pageParams.push(q.limit, q.offset);
  // One after the other: PGlite runs one statement at a time anyway, and a pool connection
  // less per request on a server.
  const page = await db.query<SummaryRow & { blocked_24h: number }>(
    `SELECT ${SUMMARY_COLUMNS}, r.blocked_24h FROM routers r ${where} ORDER BY ${order}
      LIMIT $${pageParams.length - 1} OFFSET $${pageParams.length}`,
    pageParams,
  );
  const { total, totalEstimated } = await countRouters(db, where, params);
  const blocked = stored
    ? new Map(page.rows.map((r) => [r.id, r.blocked_24h]))
    : await blockedFor(
        db,
        page.rows.map((r) => r.id),
        since,
      );
  const desired = await desiredFor(
    db,
    page.rows.map((r) => r.id),
  );
  return {
    items: page.rows.map((row) => summaryOf(row, blocked.get(row.id) ?? 0, desired, clock)),
    total,
    totalEstimated,
  };
}

/** Above this many (the planner's estimate) a total is the estimate, not a count. */
export const EXACT_TOTAL_MAX = 5000;

/**
 * The number of routers matching: counted exactly when the planner expects at most
 * EXACT_TOTAL_MAX (a count then reads about that many index entries and rows), else the
 * planner's estimate from the table statistics, flagged, because counting every match of a
 * broad filter reads most of the fleet.
 */
async function countRouters(
  db: Db,
  where: string,
  params: unknown[],
): Promise<{ total: number; totalEstimated: boolean }> {
  const sql = `SELECT count(*) AS n FROM routers r ${where}`;
  const { rows: plan } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM routers r ${where}`,
    params,
  );
  const estimate = plan[0]!['QUERY PLAN'][0].Plan['Plan Rows'];
  if (estimate > EXACT_TOTAL_MAX) return { total: Math.round(estimate), totalEstimated: true };
  const { rows } = await db.query<{ n: number }>(sql, params);
  return { total: rows[0]?.n ?? 0, totalEstimated: false };
}

/** Every router id matching the filter, in id order (bulk actions and rollouts). */
export async function matchingIds(
  db: Db,
  q: Partial<Filter>,
  clock: QueryClock,
): Promise<string[]> {
  const params: unknown[] = [];
  const { sql } = whereClause(q, clock, params);
  const { rows } = await db.query<{ id: string }>(
    `SELECT r.id FROM routers r ${sql} ORDER BY r.id`,
    params,
  );
  return rows.map((r) => r.id);
}
