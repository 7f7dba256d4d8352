// Versions and the desired state in force, per router (table router_desired, migration 004):
// version allocation (atomic, one statement that applies the version rule of
// portal/core/version-rule.ts), the record of what the broker acknowledged, and re-signing.
import type { DesiredFields } from '../core/desired-content.ts';
import { clockFloor } from '../core/version-rule.ts';
import type { SentRequest } from './action-store.ts';
import type { Db } from './db.ts';

export interface Allocation {
  readonly id: string;
  readonly version: number;
  /** The desired fields published last (the base of the next), or null. */
  readonly desired: DesiredFields | null;
  /** What the router reports it enforces. */
  readonly enabledNow: boolean | null;
  readonly online: boolean;
}

/**
 * Hands out the next version for each router: max(last + 1, clock floor, reported + 1, last
 * published + 1), committed before anything is signed or published, so a version is never handed
 * out twice even if the publish then fails or another instance allocates at the same moment
 * (the insert or row lock of the upsert orders them; rows are taken in id order, so two bulk
 * allocations never deadlock). Unknown ids are left out. Results in id order.
 */
export async function allocateVersions(
  db: Db,
  ids: readonly string[],
  nowMs: number,
): Promise<Allocation[]> {
  const { rows } = await db.query<{
    id: string;
    last_version: number;
    desired: DesiredFields | null;
    enabled: boolean | null;
    online: boolean;
  }>(
    `WITH r AS (SELECT id, applied_version, enabled, online FROM routers
                 WHERE id = ANY($1::text[])),
          a AS (INSERT INTO router_desired AS d (id, last_version)
                  SELECT id, GREATEST($2::bigint, COALESCE(applied_version, 0) + 1) FROM r
                   ORDER BY id
                  ON CONFLICT (id) DO UPDATE
                    SET last_version = GREATEST(d.last_version + 1, EXCLUDED.last_version,
                                                COALESCE(d.desired_version, 0) + 1)
                  RETURNING d.id, d.last_version, d.desired)
     SELECT a.id, a.last_version, a.desired, r.enabled, r.online
       FROM a JOIN r ON r.id = a.id ORDER BY a.id`,
    [ids, clockFloor(nowMs)],
  );
  return rows.map((r) => ({
    id: r.id,
    version: r.last_version,
    desired: r.desired,
    enabledNow: r.enabled,
    online: r.online,
  }));
}

/** Desired states the broker acknowledged: now retained there, kept for re-signing. */
export async function recordDesired(db: Db, desired: readonly SentRequest[]): Promise<void> {
  if (desired.length === 0) return;
  // Only ever forward: another instance may have published a newer version meanwhile (and of
  // two for one router in one call, the newer wins).
  await db.query(
    `INSERT INTO router_desired AS d (id, last_version, desired, desired_version, desired_token,
                                      desired_exp)
       SELECT DISTINCT ON (x.id) x.id, x.version, x.content, x.version, x.token, x.exp
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, content jsonb, version bigint,
                                                 token text, exp timestamptz)
        ORDER BY x.id, x.version DESC
     ON CONFLICT (id) DO UPDATE
       SET desired = EXCLUDED.desired, desired_version = EXCLUDED.desired_version,
           desired_token = EXCLUDED.desired_token, desired_exp = EXCLUDED.desired_exp,
           last_version = GREATEST(d.last_version, EXCLUDED.last_version)
       WHERE d.desired_version IS NULL OR d.desired_version <= EXCLUDED.desired_version`,
    [
      JSON.stringify(
        desired.map((s) => {
          const { version: _v, ...fields } = s.content;
          return {
            id: s.routerId,
            content: fields,
            version: s.version,
            token: s.token,
            exp: new Date(s.expMs!).toISOString(),
          };
        }),
      ),
    ],
  );
}

/** The version and enabled flag of each router's desired state in force (for the fleet list). */
export async function desiredFor(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, { version: number | null; enabled: boolean | null }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; version: number | null; enabled: boolean | null }>(
    `SELECT id, desired_version AS version, (desired->>'enabled')::boolean AS enabled
       FROM router_desired WHERE id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { version: r.version, enabled: r.enabled }]));
}

export interface ResignCandidate {
  readonly id: string;
  readonly version: number;
  readonly desired: DesiredFields;
  readonly expMs: number;
}

/** Retained desired states whose token expires before the horizon. */
export async function desiredToResign(
  db: Db,
  horizonMs: number,
  limit: number,
): Promise<ResignCandidate[]> {
  const { rows } = await db.query<{
    id: string;
    desired_version: number;
    desired: DesiredFields;
    desired_exp: Date;
  }>(
    `SELECT id, desired_version, desired, desired_exp FROM router_desired
      WHERE desired_exp IS NOT NULL AND desired_exp < $1 ORDER BY desired_exp LIMIT $2`,
    [new Date(horizonMs).toISOString(), limit],
  );
  return rows.map((r) => ({
    id: r.id,
    version: r.desired_version,
    desired: r.desired,
    expMs: r.desired_exp.getTime(),
  }));
}

/** Stores a re-signed token for the same version (only if nothing newer came meanwhile). */
export async function recordResigned(
  db: Db,
  id: string,
  version: number,
  token: string,
  expMs: number,
): Promise<void> {
  await db.query(
    `UPDATE router_desired SET desired_token = $3, desired_exp = $4
      WHERE id = $1 AND desired_version = $2`,
    [id, version, token, new Date(expMs).toISOString()],
  );
}
