// What the fleet list, the summary and a router's page read. The fleet list is built from a
// FleetQuery (already parsed and checked, portal/core/fleet-query.ts) into one parameterised
// WHERE clause: no text from a request is ever put into SQL.
import type { Backend, StateDoc, StatusDoc, TopSource } from '../../contract/message-types.ts';
import type { FleetQuery, SortKey } from '../core/fleet-query.ts';
import type {
  FleetSummary,
  HourBucket,
  RouterDetail,
  RouterSummary,
  TopBlockedRouter,
} from '../core/router-views.ts';
import type { Db } from './db.ts';

const HOUR_MS = 3_600_000;

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
    const like = p(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    parts.push(
      `(r.id ILIKE ${like} OR r.model ILIKE ${like} OR r.board ILIKE ${like} OR r.release ILIKE ${like})`,
    );
  }
  if (q.online !== undefined) parts.push(`r.online = ${p(q.online)}`);
  if (q.enabled !== undefined) parts.push(`r.enabled = ${p(q.enabled)}`);
  if (q.applied !== undefined) parts.push(`r.applied = ${p(q.applied)}`);
  if (q.backend !== undefined) parts.push(`r.backend = ${p(q.backend)}`);
  if (q.wanProto !== undefined) parts.push(`r.wan_proto = ${p(q.wanProto)}`);
  if (q.model !== undefined) parts.push(`r.model = ${p(q.model)}`);
  if (q.hasError !== undefined) parts.push(`r.has_error = ${p(q.hasError)}`);
  if (q.notReporting !== undefined) {
    const cutoff = p(new Date(clock.nowMs - clock.notReportingAfterMs).toISOString());
    parts.push(
      q.notReporting
        ? `(r.status_received_at IS NULL OR r.status_received_at < ${cutoff})`
        : `r.status_received_at >= ${cutoff}`,
    );
  }
  const blockedSince =
    Math.floor(clock.nowMs / HOUR_MS) * HOUR_MS - ((q.blockedHours ?? 24) - 1) * HOUR_MS;
  if (q.blockedMin !== undefined)
    parts.push(`${blockedExpr(p(new Date(blockedSince).toISOString()))} >= ${p(q.blockedMin)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', blockedSince };
}

function blockedExpr(since: string): string {
  return `(SELECT COALESCE(sum(b.blocked), 0) FROM blocked_hourly b WHERE b.router_id = r.id AND b.hour >= ${since})`;
}

const SORT_SQL: Record<Exclude<SortKey, 'blocked'>, string> = {
  id: 'r.id',
  last_seen: 'r.last_seen',
  first_seen: 'r.first_seen',
  model: 'r.model',
  applied_version: 'r.applied_version',
};

const SUMMARY_COLUMNS = `r.id, r.online, r.boot, r.agent_version, r.model, r.board, r.release,
  r.wan_proto, r.enabled, r.applied_version, r.policy_source, r.policy_action, r.applied,
  r.backend, r.status->'enforcement'->'drift' AS drift, r.status->'last_error' AS last_error,
  r.desired_version, (r.desired->>'enabled')::boolean AS desired_enabled, r.first_seen,
  r.last_seen, r.status_received_at`;

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
  desired_version: number | null;
  desired_enabled: boolean | null;
  first_seen: Date;
  last_seen: Date;
  status_received_at: Date | null;
}

function summaryOf(row: SummaryRow, blocked: number, clock: QueryClock): RouterSummary {
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
    desiredVersion: row.desired_version,
    desiredEnabled: row.desired_enabled,
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
): Promise<{ items: RouterSummary[]; total: number }> {
  const params: unknown[] = [];
  const { sql: where, blockedSince } = whereClause(q, clock, params);
  const since = new Date(blockedSince).toISOString();
  const dir = q.order === 'desc' ? 'DESC' : 'ASC';
  const nulls = q.order === 'desc' ? 'NULLS LAST' : 'NULLS FIRST';
  const pageParams = [...params];
  let order: string;
  if (q.sort === 'blocked') {
    pageParams.push(since);
    order = `${blockedExpr(`$${pageParams.length}`)} ${dir}, r.id ${dir}`;
  } else order = `${SORT_SQL[q.sort]} ${dir} ${nulls}, r.id ${dir}`;
  pageParams.push(q.limit, q.offset);
  const [page, count] = await Promise.all([
    db.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM routers r ${where} ORDER BY ${order}
        LIMIT $${pageParams.length - 1} OFFSET $${pageParams.length}`,
      pageParams,
    ),
    db.query<{ n: number }>(`SELECT count(*) AS n FROM routers r ${where}`, params),
  ]);
  const blocked = await blockedFor(
    db,
    page.rows.map((r) => r.id),
    since,
  );
  return {
    items: page.rows.map((row) => summaryOf(row, blocked.get(row.id) ?? 0, clock)),
    total: count.rows[0]?.n ?? 0,
  };
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

export async function fleetSummary(db: Db, clock: QueryClock): Promise<FleetSummary> {
  const cutoff = new Date(clock.nowMs - clock.notReportingAfterMs).toISOString();
  const { rows } = await db.query<Record<keyof FleetSummary, number>>(
    `SELECT count(*) AS routers,
            count(*) FILTER (WHERE online) AS online,
            count(*) FILTER (WHERE enabled AND applied) AS enforcing,
            count(*) FILTER (WHERE enabled = false) AS disabled,
            count(*) FILTER (WHERE applied = false OR has_error) AS "driftedOrErroring",
            count(*) FILTER (WHERE status_received_at IS NULL OR status_received_at < $1)
              AS "notReporting"
       FROM routers`,
    [cutoff],
  );
  return rows[0]!;
}

export async function routerDetail(
  db: Db,
  id: string,
  clock: QueryClock,
): Promise<RouterDetail | null> {
  const { rows } = await db.query<
    SummaryRow & { state: StateDoc | null; status: StatusDoc | null }
  >(`SELECT ${SUMMARY_COLUMNS}, r.state, r.status FROM routers r WHERE r.id = $1`, [id]);
  const row = rows[0];
  if (!row) return null;
  const since = new Date(Math.floor(clock.nowMs / HOUR_MS) * HOUR_MS - 23 * HOUR_MS).toISOString();
  const blocked = await blockedFor(db, [id], since);
  return {
    ...summaryOf(row, blocked.get(id) ?? 0, clock),
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
  const params: unknown[] = [new Date(first).toISOString()];
  if (id !== null) params.push(id);
  const { rows } = await db.query<{ hour: Date; blocked: number }>(
    `SELECT hour, sum(blocked) AS blocked FROM blocked_hourly
      WHERE hour >= $1 ${id === null ? '' : 'AND router_id = $2'} GROUP BY hour`,
    params,
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
  const since = new Date(Math.floor(nowMs / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS);
  const { rows } = await db.query<{ id: string; model: string | null; blocked: number }>(
    `SELECT b.router_id AS id, r.model, sum(b.blocked) AS blocked
       FROM blocked_hourly b JOIN routers r ON r.id = b.router_id
      WHERE b.hour >= $1 GROUP BY b.router_id, r.model
      ORDER BY blocked DESC, id LIMIT $2`,
    [since.toISOString(), limit],
  );
  return Promise.all(rows.map(async (r) => ({ ...r, topSources: await topSources(db, r.id, 5) })));
}
