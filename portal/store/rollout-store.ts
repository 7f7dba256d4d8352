// Staged rollouts in the database. Every change is a compare-and-set on `revision`, so when two
// portal instances run the same rollout only one of them sends a wave or closes it.
import type { ActionKind, PolicyChange } from '../core/action.ts';
import type {
  RolloutActionQuery,
  RolloutActionRecord,
  RolloutRecord,
  RolloutState,
  WaveRecord,
} from '../core/rollout.ts';
import { actionOf, type ActionRow } from './action-store.ts';
import type { Db } from './db.ts';

export interface StoredRollout {
  readonly record: RolloutRecord;
  readonly plan: readonly (readonly string[])[];
  readonly revision: number;
}

interface Row {
  id: string;
  action: ActionKind;
  reason: string;
  operator: string;
  policy: PolicyChange | null;
  state: RolloutState;
  halt_reason: string | null;
  plan: string[][];
  waves: WaveRecord[];
  current_wave: number;
  max_error_share: number;
  max_missing_share: number;
  wave_timeout_ms: number;
  revision: number;
  created_at: Date;
  updated_at: Date;
}

function fromRow(row: Row): StoredRollout {
  return {
    plan: row.plan,
    revision: row.revision,
    record: {
      id: row.id,
      action: row.action,
      reason: row.reason,
      operator: row.operator,
      policy: row.policy,
      state: row.state,
      haltReason: row.halt_reason,
      total: row.plan.reduce((n, wave) => n + wave.length, 0),
      currentWave: row.current_wave,
      waves: row.waves,
      maxErrorShare: row.max_error_share,
      maxMissingShare: row.max_missing_share,
      waveTimeoutMs: row.wave_timeout_ms,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    },
  };
}

export async function insertRollout(
  db: Db,
  r: Omit<RolloutRecord, 'createdAt' | 'updatedAt' | 'total'>,
  plan: readonly (readonly string[])[],
): Promise<StoredRollout> {
  const { rows } = await db.query<Row>(
    `INSERT INTO rollouts (id, action, reason, operator, policy, state, halt_reason, plan, waves,
                           current_wave, max_error_share, max_missing_share, wave_timeout_ms)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13)
     RETURNING *`,
    [
      r.id,
      r.action,
      r.reason,
      r.operator,
      r.policy === null ? null : JSON.stringify(r.policy),
      r.state,
      r.haltReason,
      JSON.stringify(plan),
      JSON.stringify(r.waves),
      r.currentWave,
      r.maxErrorShare,
      r.maxMissingShare,
      r.waveTimeoutMs,
    ],
  );
  return fromRow(rows[0]!);
}

export async function getRollout(db: Db, id: string): Promise<StoredRollout | null> {
  const { rows } = await db.query<Row>('SELECT * FROM rollouts WHERE id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function listRollouts(db: Db, state?: RolloutState): Promise<StoredRollout[]> {
  const { rows } = state
    ? await db.query<Row>('SELECT * FROM rollouts WHERE state = $1 ORDER BY created_at', [state])
    : await db.query<Row>('SELECT * FROM rollouts ORDER BY created_at DESC LIMIT 200');
  return rows.map(fromRow);
}

export interface RolloutChange {
  readonly state: RolloutState;
  readonly haltReason: string | null;
  readonly waves: readonly WaveRecord[];
  readonly currentWave: number;
}

/** Applies the change if nobody changed the rollout since `revision`; null otherwise. */
export async function updateRollout(
  db: Db,
  id: string,
  revision: number,
  change: RolloutChange,
): Promise<StoredRollout | null> {
  const { rows } = await db.query<Row>(
    `UPDATE rollouts SET state = $3, halt_reason = $4, waves = $5::jsonb, current_wave = $6,
                         revision = revision + 1, updated_at = now()
      WHERE id = $1 AND revision = $2 RETURNING *`,
    [
      id,
      revision,
      change.state,
      change.haltReason,
      JSON.stringify(change.waves),
      change.currentWave,
    ],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Replies of one wave so far, by status. */
export async function waveStatusCounts(
  db: Db,
  id: string,
  wave: number,
): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*) AS n FROM actions WHERE rollout_id = $1 AND wave = $2 GROUP BY status`,
    [id, wave],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** A rollout's requests and their replies (the actions_rollout index), filtered and paged. */
export async function rolloutActions(
  db: Db,
  id: string,
  q: RolloutActionQuery,
): Promise<{ items: RolloutActionRecord[]; total: number }> {
  const params: unknown[] = [id, q.wave ?? null, q.status ?? null];
  const where = `rollout_id = $1 AND ($2::int IS NULL OR wave = $2) AND ($3::text IS NULL OR status = $3)`;
  const total = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM actions WHERE ${where}`,
    params,
  );
  const { rows } = await db.query<ActionRow>(
    `SELECT * FROM actions WHERE ${where} ORDER BY wave, router_id, id LIMIT $4 OFFSET $5`,
    [...params, q.limit, q.offset],
  );
  return {
    total: total.rows[0]?.n ?? 0,
    items: rows.map((row) => ({ ...actionOf(row), wave: row.wave ?? 0 })),
  };
}
