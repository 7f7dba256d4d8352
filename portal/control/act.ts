// Carrying out an action on a set of routers. For each router: a version allocated in the
// database (committed first, so it is never handed out again), the content made and checked
// with the agent's own parser, signed, recorded, then published retained (desired) or not
// (commands), QoS 1. A router whose signature or publish fails gets nothing published (and
// never an empty payload); the others go on. Every call ends in one audit entry.
import { randomBytes } from 'node:crypto';
import { topicsFor } from '../../contract/topics.ts';
import {
  commandOp,
  type ActionOutcome,
  type ActionRequest,
  type ActionResult,
} from '../core/action.ts';
import type { AuditSink } from '../core/audit-entry.ts';
import { ContentError, nextDesiredFields, type DesiredFields } from '../core/desired-content.ts';
import type { Operator } from '../core/operator.ts';
import type { Publisher } from '../mqtt/publisher.ts';
import type { Signer } from '../signing/signer.ts';
import {
  allocateVersions,
  type Allocation,
  markFailed,
  recordDesired,
  recordRequests,
  type SentRequest,
} from '../store/action-store.ts';
import type { Db } from '../store/db.ts';
import type { QueryClock } from '../store/fleet-queries.ts';
import { ActionError } from './action-error.ts';
import { resolveTargets } from './targets.ts';

/** Commands are short-lived (the agent refuses more than 3600 s; its clock may be behind). */
export const COMMAND_TTL_S = 300;
/**
 * Routers per block: one UPDATE allocates the block's versions, one INSERT records its requests,
 * one UPDATE records what the broker acknowledged.
 */
const BLOCK = 2000;

export interface ActDeps {
  readonly db: Db;
  readonly signer: Signer;
  readonly publisher: Publisher;
  readonly audit: AuditSink;
  readonly prefix: string;
  readonly desiredTtlS: number;
  readonly clock: () => QueryClock;
}

export interface RolloutContext {
  readonly rolloutId: string;
  readonly wave: number;
  /** The wave's routers (already resolved when the rollout started). */
  readonly ids: readonly string[];
}

export function checkRequest(req: ActionRequest, by: Operator): string {
  if (by.role !== 'operator' && by.role !== 'admin')
    throw new ActionError('forbidden', `${by.name} (${by.role}) may not act on routers`);
  const reason = typeof req.reason === 'string' ? req.reason.trim() : '';
  if (reason === '' || reason.length > 500)
    throw new ActionError('reason_required', 'a reason (1..500 characters) is required');
  if (commandOp(req.action) === null) {
    // Check the change once up front, so a bad policy allocates nothing.
    try {
      nextDesiredFields(req.action, null, true, req.policy);
    } catch (error) {
      if (error instanceof ContentError) throw new ActionError('invalid_policy', error.message);
      throw error;
    }
  }
  return reason;
}

export async function act(
  deps: ActDeps,
  req: ActionRequest,
  by: Operator,
  rollout?: RolloutContext,
): Promise<ActionResult> {
  const reason = checkRequest(req, by);
  const targets = rollout
    ? { known: [...rollout.ids], unknown: [] }
    : await resolveTargets(deps.db, req.target, deps.clock());
  if (targets.known.length === 0 && !rollout)
    throw new ActionError(
      'no_targets',
      targets.unknown.length ? `unknown router ${targets.unknown[0]}` : 'no router matches',
    );
  const outcomes: ActionOutcome[] = targets.unknown.map((routerId) => ({
    routerId,
    ok: false,
    error: 'unknown router',
  }));
  // Blocks are pipelined: while one block waits for its PUBACKs, the next is allocated, signed
  // and recorded, so the database's and the broker's round trips overlap.
  let publishing: Promise<ActionOutcome[]> | null = null;
  try {
    for (let i = 0; i < targets.known.length; i += BLOCK) {
      const ready = await prepareBlock(
        deps,
        req,
        by,
        reason,
        targets.known.slice(i, i + BLOCK),
        rollout,
      );
      if (publishing) outcomes.push(...(await publishing));
      publishing = publishBlock(deps, ready);
    }
  } catch (error) {
    await publishing?.catch(() => {}); // the block in flight still ends before the error
    throw error;
  }
  if (publishing) outcomes.push(...(await publishing));
  const published = outcomes.filter((o) => o.ok && !o.pending).length;
  const pending = outcomes.filter((o) => o.pending).length;
  const result: ActionResult = {
    action: req.action,
    requested: outcomes.length,
    published,
    pending,
    failed: outcomes.length - published - pending,
    outcomes,
  };
  const failures = outcomes.filter((o) => !o.ok);
  await deps.audit.record({
    operator: by.name,
    action: rollout ? `rollout.${req.action}` : req.action,
    routers: outcomes.map((o) => o.routerId),
    reason,
    outcome: `published ${published} of ${outcomes.length}${pending ? `, ${pending} pending: router offline` : ''}`,
    detail: {
      ...(req.policy && { policy: req.policy }),
      ...(rollout && { rollout: rollout.rolloutId, wave: rollout.wave }),
      ...(failures.length && {
        failures: failures.slice(0, 20).map((f) => `${f.routerId}: ${f.error}`),
      }),
    },
  });
  return result;
}

interface Prepared {
  readonly request: SentRequest;
  readonly token: string | null;
  readonly publish: boolean;
}

interface ReadyBlock {
  /** Signed and recorded, in router id order; recordIds[i] is prepared[i]'s record. */
  readonly prepared: readonly Prepared[];
  readonly recordIds: readonly number[];
  /** Routers that get nothing (unknown, or not signed). */
  readonly failures: readonly ActionOutcome[];
}

/** Allocates, makes, signs and records a block's requests; publishes nothing. */
async function prepareBlock(
  deps: ActDeps,
  req: ActionRequest,
  by: Operator,
  reason: string,
  ids: readonly string[],
  rollout: RolloutContext | undefined,
): Promise<ReadyBlock> {
  const nowMs = deps.clock().nowMs;
  const iat = Math.floor(nowMs / 1000);
  const op = commandOp(req.action);
  const failures: ActionOutcome[] = [];
  const prepared: Prepared[] = [];
  const common = {
    action: req.action,
    operator: by.name,
    reason,
    rolloutId: rollout?.rolloutId ?? null,
    wave: rollout?.wave ?? null,
  };
  if (op === null) {
    const allocations = await allocateVersions(deps.db, ids, nowMs);
    const found = new Set(allocations.map((a) => a.id));
    for (const id of ids)
      if (!found.has(id)) failures.push({ routerId: id, ok: false, error: 'unknown router' });
    // Most routers of a bulk action share their previous content: make each distinct one once.
    const made = new Map<string, DesiredFields>();
    const nextFields = (a: Allocation): DesiredFields => {
      const key = JSON.stringify([a.desired, a.enabledNow]);
      let fields = made.get(key);
      if (!fields) {
        fields = nextDesiredFields(req.action, a.desired, a.enabledNow, req.policy);
        made.set(key, fields);
      }
      return fields;
    };
    await Promise.all(
      allocations.map(async (a) => {
        try {
          const fields = nextFields(a);
          const content = { version: a.version, ...fields };
          const exp = iat + deps.desiredTtlS;
          const token = await deps.signer.sign({ ...content, sub: a.id, iat, exp });
          prepared.push({
            request: {
              ...common,
              routerId: a.id,
              kind: 'desired',
              version: a.version,
              commandId: null,
              content,
              status: a.online ? 'sent' : 'pending: router offline',
              token,
              expMs: exp * 1000,
            },
            token,
            publish: true,
          });
        } catch (error) {
          failures.push({
            routerId: a.id,
            ok: false,
            error: `not signed: ${(error as Error).message}`,
          });
        }
      }),
    );
  } else {
    const { rows } = await deps.db.query<{ id: string; online: boolean }>(
      'SELECT id, online FROM routers WHERE id = ANY($1::text[])',
      [ids],
    );
    await Promise.all(
      rows.map(async (r) => {
        const commandId = `${op}-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
        const content = { id: commandId, op };
        // A command to an offline router would be lost (clean sessions): it waits in the
        // database and is signed and sent when the router's state says online again.
        let token: string | null = null;
        if (r.online) {
          try {
            token = await deps.signer.sign({
              ...content,
              sub: r.id,
              iat,
              exp: iat + COMMAND_TTL_S,
            });
          } catch (error) {
            failures.push({
              routerId: r.id,
              ok: false,
              error: `not signed: ${(error as Error).message}`,
            });
            return;
          }
        }
        prepared.push({
          request: {
            ...common,
            routerId: r.id,
            kind: 'command',
            version: null,
            commandId,
            content,
            status: r.online ? 'sent' : 'pending: router offline',
          },
          token,
          publish: r.online,
        });
      }),
    );
  }
  prepared.sort((a, b) => (a.request.routerId < b.request.routerId ? -1 : 1));
  const recordIds = await recordRequests(
    deps.db,
    prepared.map((p) => p.request),
  );
  return { prepared, recordIds, failures };
}

/** Publishes a block (QoS 1, PUBACKs awaited), then records what the broker acknowledged. */
async function publishBlock(deps: ActDeps, block: ReadyBlock): Promise<ActionOutcome[]> {
  const { prepared, recordIds, failures } = block;
  const failedRecords: number[] = [];
  const published: SentRequest[] = [];
  const outcomes: ActionOutcome[] = [...failures];
  await Promise.all(
    prepared.map(async (p, i) => {
      const { request } = p;
      const base = {
        routerId: request.routerId,
        ...(request.version !== null && { version: request.version }),
        ...(request.commandId !== null && { commandId: request.commandId }),
      };
      if (!p.publish) {
        outcomes.push({ ...base, ok: true, pending: true });
        return;
      }
      const topics = topicsFor(deps.prefix, request.routerId);
      try {
        await deps.publisher.publish(
          request.kind === 'desired' ? topics.desired : topics.cmd,
          p.token!,
          request.kind === 'desired',
        );
        if (request.kind === 'desired') published.push(request);
        outcomes.push({ ...base, ok: true });
      } catch (error) {
        failedRecords.push(recordIds[i]!);
        outcomes.push({ ...base, ok: false, error: `not published: ${(error as Error).message}` });
      }
    }),
  );
  await markFailed(deps.db, failedRecords);
  await recordDesired(deps.db, published);
  return outcomes.sort((a, b) => (a.routerId < b.routerId ? -1 : 1));
}
