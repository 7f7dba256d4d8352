// Desired states and commands in the database: version allocation (atomic, one UPDATE that
// applies the version rule of portal/core/version-rule.ts), the record of every request sent,
// reply matching and timeouts.
import type { ReplyDoc } from '../../contract/message-types.ts';
import type { ActionKind, ActionRecord, ActionStatus } from '../core/action.ts';
import type { DesiredFields } from '../core/desired-content.ts';
import { OPEN_STATUSES, replyKey, replyStatus } from '../core/reply-rule.ts';
import { clockFloor } from '../core/version-rule.ts';
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
 * (the row locks order them, taken in id order so that two bulk allocations never deadlock).
 * Unknown ids are left out.
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
    `WITH locked AS (SELECT id FROM routers WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE)
     UPDATE routers r SET last_version = GREATEST(r.last_version + 1, $2::bigint,
                                                 COALESCE(r.applied_version, 0) + 1,
                                                 COALESCE(r.desired_version, 0) + 1)
       FROM locked WHERE r.id = locked.id
     RETURNING r.id, r.last_version, r.desired, r.enabled, r.online`,
    [[...ids].sort(), clockFloor(nowMs)],
  );
  return rows.map((r) => ({
    id: r.id,
    version: r.last_version,
    desired: r.desired,
    enabledNow: r.enabled,
    online: r.online,
  }));
}

export type SentRequest = Pick<
  ActionRecord,
  | 'routerId'
  | 'kind'
  | 'action'
  | 'version'
  | 'commandId'
  | 'content'
  | 'operator'
  | 'reason'
  | 'rolloutId'
  | 'status'
> & {
  readonly wave: number | null;
  /** For desired states: the token published and its expiry (kept for re-signing). */
  readonly token?: string;
  readonly expMs?: number;
};

/**
 * Records requests about to be published (before the publish: a router answers within
 * milliseconds, and its reply must find the record). Returns the record ids, in order.
 */
export async function recordRequests(db: Db, sent: readonly SentRequest[]): Promise<number[]> {
  if (sent.length === 0) return [];
  const { rows } = await db.query<{
    id: number;
    router_id: string;
    version: number | null;
    command_id: string | null;
  }>(
    `INSERT INTO actions (router_id, kind, action, version, command_id, content, operator,
                            reason, rollout_id, wave, status)
         SELECT x.router_id, x.kind, x.action, x.version, x.command_id, x.content, x.operator,
                x.reason, x.rollout_id, x.wave, x.status
           FROM jsonb_to_recordset($1::jsonb) AS x(router_id text, kind text, action text,
                version bigint, command_id text, content jsonb, operator text, reason text,
                rollout_id text, wave integer, status text)
         RETURNING id, router_id, version, command_id`,
    [
      JSON.stringify(
        sent.map((s) => ({
          router_id: s.routerId,
          kind: s.kind,
          action: s.action,
          version: s.version,
          command_id: s.commandId,
          content: s.content,
          operator: s.operator,
          reason: s.reason,
          rollout_id: s.rolloutId,
          wave: s.wave,
          status: s.status,
        })),
      ),
    ],
  );
  // Each (router, version) and (router, command id) is unique (indexes of 001-fleet.sql).
  const key = (routerId: string, version: number | null, commandId: string | null) =>
    `${routerId}\n${version ?? ''}\n${commandId ?? ''}`;
  const ids = new Map(rows.map((r) => [key(r.router_id, r.version, r.command_id), r.id]));
  return sent.map((s) => ids.get(key(s.routerId, s.version, s.commandId))!);
}

/** The publish failed: nothing reached the broker (as far as it acknowledged). */
export async function markFailed(db: Db, actionIds: readonly number[]): Promise<void> {
  if (actionIds.length === 0) return;
  await db.query(`UPDATE actions SET status = 'failed' WHERE id = ANY($1::bigint[])`, [actionIds]);
}

/** Desired states the broker acknowledged: now retained there, kept for re-signing. */
export async function recordDesired(db: Db, desired: readonly SentRequest[]): Promise<void> {
  if (desired.length === 0) return;
  // Only ever forward: another instance may have published a newer version meanwhile.
  await db.query(
    `UPDATE routers r SET desired = x.content, desired_version = x.version,
                          desired_token = x.token, desired_exp = x.exp
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, content jsonb, version bigint,
                                               token text, exp timestamptz)
      WHERE r.id = x.id AND (r.desired_version IS NULL OR r.desired_version <= x.version)`,
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

export interface ReplyMessage {
  readonly id: string;
  readonly doc: ReplyDoc;
  readonly receivedAtMs: number;
}

/** Settles the requests the replies answer; returns the updated records. Idempotent. */
export async function recordReplies(
  db: Db,
  replies: readonly ReplyMessage[],
): Promise<ActionRecord[]> {
  if (replies.length === 0) return [];
  return db.transaction(async (tx) => {
    const settled: ActionRecord[] = [];
    for (const r of replies) {
      const key = replyKey(r.doc);
      const params: unknown[] = [
        r.id,
        replyStatus(r.doc),
        JSON.stringify(r.doc),
        new Date(r.receivedAtMs).toISOString(),
        OPEN_STATUSES,
      ];
      let match: string;
      if (key.by === 'version') {
        params.push(key.version);
        match = `kind = 'desired' AND version = $6`;
      } else if (key.by === 'id') {
        params.push(key.id);
        match = `kind = 'command' AND command_id = $6`;
      } else {
        match = `id = (SELECT id FROM actions WHERE router_id = $1 AND status = ANY($5::text[])
                        ORDER BY id LIMIT 1)`;
      }
      const { rows } = await tx.query<ActionRow>(
        `UPDATE actions SET status = $2, reply = $3::jsonb, replied_at = $4
          WHERE router_id = $1 AND status = ANY($5::text[]) AND ${match}
          RETURNING *`,
        params,
      );
      settled.push(...rows.map(actionOf));
    }
    return settled;
  });
}

/** `sent` requests older than the timeout become `no reply`; returns them. */
export async function expireRequests(
  db: Db,
  nowMs: number,
  timeoutMs: number,
): Promise<ActionRecord[]> {
  const { rows } = await db.query<ActionRow>(
    `UPDATE actions SET status = 'no reply' WHERE status = 'sent' AND sent_at <= $1 RETURNING *`,
    [new Date(nowMs - timeoutMs).toISOString()],
  );
  return rows.map(actionOf);
}

/** Commands kept for routers that were offline, to send when they come back. */
export async function pendingCommands(db: Db, ids: readonly string[]): Promise<ActionRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<ActionRow>(
    `SELECT * FROM actions WHERE router_id = ANY($1::text[]) AND kind = 'command'
        AND status = 'pending: router offline' ORDER BY id`,
    [ids],
  );
  return rows.map(actionOf);
}

export async function markSent(db: Db, actionIds: readonly number[], nowMs: number): Promise<void> {
  if (actionIds.length === 0) return;
  await db.query(
    `UPDATE actions SET status = 'sent', sent_at = $2
      WHERE id = ANY($1::bigint[]) AND status = 'pending: router offline'`,
    [actionIds, new Date(nowMs).toISOString()],
  );
}

export async function actionHistory(db: Db, id: string, limit: number): Promise<ActionRecord[]> {
  const { rows } = await db.query<ActionRow>(
    'SELECT * FROM actions WHERE router_id = $1 ORDER BY id DESC LIMIT $2',
    [id, limit],
  );
  return rows.map(actionOf);
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
    `SELECT id, desired_version, desired, desired_exp FROM routers
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
    `UPDATE routers SET desired_token = $3, desired_exp = $4
      WHERE id = $1 AND desired_version = $2`,
    [id, version, token, new Date(expMs).toISOString()],
  );
}

export interface ActionRow {
  id: number;
  router_id: string;
  kind: 'desired' | 'command';
  action: ActionKind;
  version: number | null;
  command_id: string | null;
  content: Record<string, unknown>;
  operator: string;
  reason: string;
  rollout_id: string | null;
  wave: number | null;
  status: ActionStatus;
  reply: ReplyDoc | null;
  sent_at: Date;
  replied_at: Date | null;
}

export function actionOf(row: ActionRow): ActionRecord {
  return {
    id: row.id,
    routerId: row.router_id,
    kind: row.kind,
    action: row.action,
    version: row.version,
    commandId: row.command_id,
    content: row.content,
    operator: row.operator,
    reason: row.reason,
    rolloutId: row.rollout_id,
    status: row.status,
    reply: row.reply,
    sentAt: row.sent_at.toISOString(),
    repliedAt: row.replied_at?.toISOString() ?? null,
  };
}
