// How ingest writes routers rows: one multi-row statement per batch, from JSON. A router already
// stored whose batch brought only status documents (nearly every message of a fleet reporting)
// gets a plain UPDATE of the status columns: no speculative insert, no CASE per column to keep
// the presence columns, and the presence trigger (migration 003, `UPDATE OF online, boot`) is not
// even considered. New routers and state documents take the general upsert.
import type { StateDoc, StatusDoc } from '../../contract/message-types.ts';
import type { Db } from './db.ts';

/** A routers row as ingest writes it; null presence fields: unchanged, null status: unchanged. */
export interface RouterRow {
  readonly id: string;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly online: boolean | null;
  readonly boot: string | null;
  readonly agent_version: string | null;
  readonly state: StateDoc | null;
  readonly state_at: string | null;
  readonly status: StatusDoc | null;
  readonly status_received_at: string | null;
  readonly reported_at: string | null;
  readonly status_boot: string | null;
  readonly model: string | null;
  readonly board: string | null;
  readonly release: string | null;
  readonly wan_proto: string | null;
  readonly enabled: boolean | null;
  readonly applied_version: number | null;
  readonly policy_source: string | null;
  readonly policy_action: string | null;
  readonly applied: boolean | null;
  readonly backend: string | null;
  readonly drift_count: number | null;
  readonly repairs: number | null;
  readonly has_error: boolean | null;
  readonly blocked_packets: number | null;
  readonly blocked_24h: number | null;
  readonly blocked_24h_hour: string | null;
}

const STATUS_TYPES: Record<string, string> = {
  status_received_at: 'timestamptz',
  reported_at: 'timestamptz',
  status_boot: 'text',
  model: 'text',
  board: 'text',
  release: 'text',
  wan_proto: 'text',
  enabled: 'boolean',
  applied_version: 'bigint',
  policy_source: 'text',
  policy_action: 'text',
  applied: 'boolean',
  backend: 'text',
  drift_count: 'integer',
  repairs: 'integer',
  has_error: 'boolean',
  blocked_packets: 'bigint',
  blocked_24h: 'bigint',
  blocked_24h_hour: 'timestamptz',
};
const STATUS_COLUMNS = Object.keys(STATUS_TYPES);
const STATUS_RECORD = STATUS_COLUMNS.map((c) => `${c} ${STATUS_TYPES[c]}`).join(', ');
const STATE_COLUMNS = ['online', 'boot', 'state'];
// NOT NULL columns a state-only first message leaves without a value.
const DEFAULTS: Record<string, string> = {
  drift_count: '0',
  repairs: '0',
  has_error: 'false',
  blocked_packets: '0',
  blocked_24h: '0',
};
const insertValue = (c: string) => (DEFAULTS[c] ? `COALESCE(x.${c}, ${DEFAULTS[c]})` : `x.${c}`);
const keep = (column: string, group: string) =>
  `${column} = CASE WHEN EXCLUDED.${group} IS NULL THEN routers.${column} ELSE EXCLUDED.${column} END`;

const UPSERT = `INSERT INTO routers (id, first_seen, last_seen, online, boot, agent_version, state,
                      state_at, status, ${STATUS_COLUMNS.join(', ')})
   SELECT x.id, x.first_seen, x.last_seen, COALESCE(x.online, false), x.boot, x.agent_version,
          x.state, x.state_at, x.status, ${STATUS_COLUMNS.map(insertValue).join(', ')}
     FROM jsonb_to_recordset($1::jsonb) AS x(
       id text, first_seen timestamptz, last_seen timestamptz, online boolean, boot text,
       agent_version text, state jsonb, state_at timestamptz, status jsonb, ${STATUS_RECORD})
 ON CONFLICT (id) DO UPDATE SET
   last_seen = GREATEST(routers.last_seen, EXCLUDED.last_seen),
   agent_version = COALESCE(EXCLUDED.agent_version, routers.agent_version),
   ${STATE_COLUMNS.map((c) => keep(c, 'state_at')).join(',\n   ')},
   state_at = COALESCE(EXCLUDED.state_at, routers.state_at),
   ${STATUS_COLUMNS.map((c) => keep(c, 'status')).join(',\n   ')},
   status = COALESCE(EXCLUDED.status, routers.status)`;
/** Any row: new routers, state documents, status documents. */
export async function upsertRouters(tx: Db, rows: readonly RouterRow[]): Promise<void> {
  if (rows.length > 0) await tx.query(UPSERT, [JSON.stringify(rows)]);
}

// The status update's JSON parameter has short keys (k0, k1, ... in NARROW's order): the column
// names were a quarter of its bytes, and PGlite measures, encodes and parses every byte (this
// saved 5 to 7 us a message there).
const NARROW = ['id', 'last_seen', 'agent_version', 'status', ...STATUS_COLUMNS];
const NARROW_TYPES: Record<string, string> = {
  id: 'text',
  last_seen: 'timestamptz',
  agent_version: 'text',
  status: 'jsonb',
  ...STATUS_TYPES,
};
const STATUS_UPDATE = `UPDATE routers r SET
   last_seen = GREATEST(r.last_seen, x.k1),
   ${NARROW.slice(2)
     .map((c) => `${c} = x.k${NARROW.indexOf(c)}`)
     .join(',\n   ')}
  FROM jsonb_to_recordset($1::jsonb) AS x(${NARROW.map((c, i) => `k${i} ${NARROW_TYPES[c]}`).join(', ')})
 WHERE r.id = x.k0`;

/**
 * Rows of routers already stored that carry a status and leave presence unchanged (the caller
 * knows: it read them in this transaction, locked on PostgreSQL).
 */
export async function updateStatuses(tx: Db, rows: readonly RouterRow[]): Promise<void> {
  if (rows.length === 0) return;
  const narrow = rows.map((r) => {
    const o: Record<string, unknown> = {};
    NARROW.forEach((c, i) => (o[`k${i}`] = r[c as keyof RouterRow]));
    return o;
  });
  await tx.query(STATUS_UPDATE, [JSON.stringify(narrow)]);
}
