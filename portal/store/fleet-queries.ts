// What the fleet list and a router's page read (the overview's counts: fleet-summary.ts). The fleet list is built from a
// FleetQuery (already parsed and checked, portal/core/fleet-query.ts) into one parameterised
// WHERE clause: no text from a request is ever put into SQL.
import type { Backend, StateDoc, StatusDoc, TopSource } from '../../contract/message-types.ts';
import type { FleetQuery, SortKey } from '../core/fleet-query.ts';
import type {
  HourBucket,
  RouterDetail,
  RouterSummary,
  TopBlockedRouter,
} from '../core/router-views.ts';
import { HOUR_MS, WINDOW_HOURS } from '../core/blocked-window.ts';
import { refreshWindows } from './blocked-window-store.ts';
import type { Db } from './db.ts';
import { desiredFor } from './desired-store.ts';

export interface QueryClock {
  readonly nowMs: number;
  /** status older than this is "not reporting" (two report intervals). */
  readonly notReportingAfterMs: number;
}

type Filter = Omit<FleetQuery, 'offset' | 'limit' | 'sort' | 'order'>;

/** WHERE clause and its parameters for the filter part of a query (`r` is routers). */
export function whereClause(
  q: Partial<Filter>,
  clock: QueryClock,
  params: unknown[],
): { sql: string; blockedSince: number } {
  const parts: string[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.q !== undefined) {
    // router_search (migration 002): the four fields in lower case, trigram-indexed.
    const like = p(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    parts.push(`r.id IN (SELECT s.id FROM router_search s WHERE s.text LIKE lower(${like}))`);
  }
  if (q.online !== undefined) parts.push(`r.online = ${p(q.online)}`);
  if (q.enabled !== undefined) parts.push(`r.enabled = ${p(q.enabled)}`);
  if (q.applied !== undefined) parts.push(`r.applied = ${p(q.applied)}`);
  if (q.backend !== undefined) parts.push(`r.backend = ${p(q.backend)}`);
  if (q.wanProto !== undefined) parts.push(`r.wan_proto = ${p(q.wanProto)}`);
  if (q.model !== undefined) parts.push(`r.model = ${p(q.model)}`);
  if (q.hasError !== undefined) parts.push(`r.has_error = ${p(q.hasError)}`);
  // As the summary counts "drifted or erroring".
  if (q.trouble !== undefined)
    parts.push(
      q.trouble
        ? '(r.applied = false OR r.has_error)'
        : '(r.applied IS DISTINCT FROM false AND NOT r.has_error)',
    );
  if (q.notReporting !== undefined) {
    const cutoff = p(new Date(clock.nowMs - clock.notReportingAfterMs).toISOString());
    parts.push(
      q.notReporting
        ? `(r.status_received_at IS NULL OR r.status_received_at < ${cutoff})`
        : `r.status_received_at >= ${cutoff}`,
    );
  }
  const hours = q.blockedHours ?? WINDOW_HOURS;
  const blockedSince = Math.floor(clock.nowMs / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
  if (q.blockedMin !== undefined)
    parts.push(
      `${hours === WINDOW_HOURS ? 'r.blocked_24h' : blockedSum(p(new Date(blockedSince).toISOString()))} >= ${p(q.blockedMin)}`,
    );
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', blockedSince };
}

/** Another window than the stored 24 h one: summed from the history (slow at a large fleet). */
function blockedSum(since: string): string {
  return `(SELECT COALESCE(sum(b.blocked), 0) FROM blocked_hourly b WHERE b.router_id = r.id AND b.hour >= ${since})`;
}

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

const SUMMARY_COLUMNS = `r.id, r.online, r.boot, r.agent_version, r.model, r.board, r.release,
  r.wan_proto, r.enabled, r.applied_version, r.policy_source, r.policy_action, r.applied,
  r.backend, r.status->'enforcement'->'drift' AS drift, r.status->'last_error' AS last_error,
  r.first_seen, r.last_seen, r.status_received_at`;

interface SummaryRow {
  id: string;
  online: boolean;
  boot: string | null;
  agent_version: string | null;
  model: string | null;
  board: string | null;
  release: string | null;
  wan_proto: string | null;
  enabled: boolean | null;
  applied_version: number | null;
  policy_source: 'config' | 'remote' | null;
  policy_action: 'drop' | 'reject' | null;
  applied: boolean | null;
  backend: Backend | null;
  drift: string[] | null;
  last_error: RouterSummary['lastError'];
  first_seen: Date;
  last_seen: Date;
  status_received_at: Date | null;
}

type Desired = Map<string, { version: number | null; enabled: boolean | null }>;

function summaryOf(
  row: SummaryRow,
  blocked: number,
  desired: Desired,
  clock: QueryClock,
): RouterSummary {
  return {
    id: row.id,
    online: row.online,
    boot: row.boot,
    agentVersion: row.agent_version,
    model: row.model,
    board: row.board,
    release: row.release,
    wanProto: row.wan_proto,
    enabled: row.enabled,
    appliedVersion: row.applied_version,
    policySource: row.policy_source,
    action: row.policy_action,
    applied: row.applied,
    backend: row.backend,
    drift: row.drift ?? [],
    lastError: row.last_error ?? null,
    desiredVersion: desired.get(row.id)?.version ?? null,
    desiredEnabled: desired.get(row.id)?.enabled ?? null,
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    lastStatusAt: row.status_received_at?.toISOString() ?? null,
    notReporting:
      row.status_received_at === null ||
      row.status_received_at.getTime() < clock.nowMs - clock.notReportingAfterMs,
    blocked,
  };
}

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

async function blockedFor(db: Db, ids: string[], since: string): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ router_id: string; blocked: number }>(
    `SELECT router_id, sum(blocked) AS blocked FROM blocked_hourly
      WHERE router_id = ANY($1::text[]) AND hour >= $2 GROUP BY router_id`,
    [ids, since],
  );
  return new Map(rows.map((r) => [r.router_id, r.blocked]));
}

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

async function topSources(db: Db, id: string, limit: number): Promise<TopSource[]> {
  const { rows } = await db.query<TopSource>(
    `SELECT address, attempts FROM router_sources WHERE router_id = $1
      ORDER BY attempts DESC, address LIMIT $2`,
    [id, limit],
  );
  return rows;
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

/** The top LAN sources of several routers in one query. */
async function topSourcesOf(
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
