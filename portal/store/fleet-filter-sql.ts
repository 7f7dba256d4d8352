// The filter part of a fleet query as SQL: a FleetQuery (already parsed and checked,
// portal/core/fleet-query.ts) becomes one parameterised WHERE clause over `routers r`; no text
// from a request is ever put into SQL. The fleet list, its count and bulk targets share it.
import type { FleetQuery } from '../core/fleet-query.ts';
import { HOUR_MS, WINDOW_HOURS } from '../core/blocked-window.ts';

export interface QueryClock {
  readonly nowMs: number;
  /** status older than this is "not reporting" (two report intervals). */
  readonly notReportingAfterMs: number;
}

export type Filter = Omit<FleetQuery, 'offset' | 'limit' | 'sort' | 'order'>;

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
export function blockedSum(since: string): string {
  return `(SELECT COALESCE(sum(b.blocked), 0) FROM blocked_hourly b WHERE b.router_id = r.id AND b.hour >= ${since})`;
}
