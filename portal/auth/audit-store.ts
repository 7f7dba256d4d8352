// The audit log (table of migration 051): the service's AuditSink, and the filtered, paged
// listing the API serves. Rows are only inserted, never changed.
import type { AuditEntry, AuditSink } from '../core/audit-entry.ts';
import type { Db } from '../store/db.ts';

export interface AuditRecord extends AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly routerCount: number;
}

export interface AuditQuery {
  readonly operator?: string;
  readonly action?: string;
  /** Entries that touched this router. */
  readonly router?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit: number;
  readonly offset: number;
}

// A fleet-wide action names every router; beyond this many the row keeps the count only
// (detail says so), so one action cannot make a multi-megabyte row.
const MAX_ROUTERS_KEPT = 10_000;

type Row = {
  id: number;
  at: Date;
  operator: string;
  action: string;
  routers: string[];
  router_count: number;
  reason: string;
  outcome: string;
  detail: unknown;
};

export class AuditStore implements AuditSink {
  constructor(private readonly db: Db) {}

  async record(entry: AuditEntry): Promise<void> {
    const routers = entry.routers.slice(0, MAX_ROUTERS_KEPT);
    await this.db.query(
      `INSERT INTO audit_log (operator, action, routers, router_count, reason, outcome, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.operator,
        entry.action,
        routers,
        entry.routers.length,
        entry.reason,
        entry.outcome,
        entry.detail === undefined ? null : JSON.stringify(entry.detail),
      ],
    );
  }

  async list(q: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.operator !== undefined) add('operator = ?', q.operator);
    if (q.action !== undefined) add('action = ?', q.action);
    if (q.router !== undefined) add('routers @> ARRAY[?]::text[]', q.router);
    if (q.since !== undefined) add('at >= ?', q.since);
    if (q.until !== undefined) add('at < ?', q.until);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM audit_log ${filter}`,
      params,
    );
    const { rows } = await this.db.query<Row>(
      `SELECT id, at, operator, action, routers, router_count, reason, outcome, detail
       FROM audit_log ${filter} ORDER BY at DESC, id DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return {
      total: total.rows[0]?.n ?? 0,
      items: rows.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        operator: r.operator,
        action: r.action,
        routers: r.routers,
        routerCount: r.router_count,
        reason: r.reason,
        outcome: r.outcome,
        ...(r.detail !== null && { detail: r.detail }),
      })),
    };
  }
}
