// One block of an action's routers, start to end: versions allocated in the database (committed
// first, so they are never handed out again), the content made and checked with the agent's own
// parser, signed, recorded, then published retained (desired) or not (commands), QoS 1, and what
// the broker acknowledged recorded. A router whose signature or publish fails gets nothing
// published (and never an empty payload); the others go on.
import { randomBytes } from 'node:crypto';
import { topicsFor } from '../../contract/topics.ts';
import { commandOp, type ActionOutcome, type ActionRequest } from '../core/action.ts';
import { nextDesiredFields, type DesiredFields } from '../core/desired-content.ts';
import type { Operator } from '../core/operator.ts';
import { markFailed, recordRequests, type SentRequest } from '../store/action-store.ts';
import { allocateVersions, type Allocation, recordDesired } from '../store/desired-store.ts';
import type { ActDeps, RolloutContext } from './act.ts';

/** Commands are short-lived (the agent refuses more than 3600 s; its clock may be behind). */
export const COMMAND_TTL_S = 300;

export interface BlockJob {
  readonly req: ActionRequest;
  readonly by: Operator;
  readonly reason: string;
  readonly rollout: RolloutContext | undefined;
}

/** Carries out the job for `ids` (known routers, in id order); outcomes in router id order. */
export async function runBlock(
  deps: ActDeps,
  job: BlockJob,
  ids: readonly string[],
): Promise<ActionOutcome[]> {
  return publishBlock(deps, await prepareBlock(deps, job, ids));
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
  { req, by, reason, rollout }: BlockJob,
  ids: readonly string[],
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
    const exp = iat + deps.desiredTtlS;
    const contents: Record<string, unknown>[] = [];
    const signing = allocations.map((a, i) => {
      try {
        const content = { version: a.version, ...nextFields(a) };
        contents[i] = content;
        return deps.signer.sign({ ...content, sub: a.id, iat, exp });
      } catch (error) {
        return Promise.reject(error as Error); // this router's failure only
      }
    });
    // Signed together (a signer may be remote); each router's failure is its own.
    const signed = await Promise.allSettled(signing);
    for (let i = 0; i < allocations.length; i++) {
      const a = allocations[i]!;
      const s = signed[i]!;
      if (s.status === 'rejected') {
        failures.push({
          routerId: a.id,
          ok: false,
          error: `not signed: ${(s.reason as Error).message}`,
        });
        continue;
      }
      const request: SentRequest = {
        routerId: a.id,
        kind: 'desired',
        action: common.action,
        version: a.version,
        commandId: null,
        content: contents[i]!,
        operator: common.operator,
        reason: common.reason,
        rolloutId: common.rolloutId,
        wave: common.wave,
        status: a.online ? 'sent' : 'pending: router offline',
        token: s.value,
        expMs: exp * 1000,
      };
      prepared.push({ request, token: s.value, publish: true });
    }
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
      const base =
        request.version !== null
          ? { routerId: request.routerId, version: request.version }
          : { routerId: request.routerId, commandId: request.commandId! };
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
