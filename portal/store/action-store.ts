// Desired states and commands in the database: the record of every request sent, reply
// matching and timeouts (versions and the desired state in force: desired-store.ts).
import type { ReplyDoc } from '../../contract/message-types.ts';
import type { ActionKind, ActionRecord, ActionStatus } from '../core/action.ts';
import { OPEN_STATUSES, replyKey, replyStatus } from '../core/reply-rule.ts';
import type { Db } from './db.ts';

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
