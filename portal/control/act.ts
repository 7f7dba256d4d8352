// Carrying out an action on a set of routers, in blocks (act-block.ts: allocate, make, sign,
// record, publish, record what the broker acknowledged). A router whose signature or publish
// fails gets nothing published (and never an empty payload); the others go on. Every call ends
// in one audit entry, also when a block fails half-way (then with what was published before).
import {
  commandOp,
  type ActionOutcome,
  type ActionRequest,
  type ActionResult,
} from '../core/action.ts';
import type { AuditSink } from '../core/audit-entry.ts';
import { ContentError, nextDesiredFields } from '../core/desired-content.ts';
import type { Operator } from '../core/operator.ts';
import type { Publisher } from '../mqtt/publisher.ts';
import type { Signer } from '../signing/signer.ts';
import type { Db } from '../store/db.ts';
import type { QueryClock } from '../store/fleet-queries.ts';
import { runBlock, type BlockJob } from './act-block.ts';
import { ActionError } from './action-error.ts';
import { resolveTargets } from './targets.ts';

export { COMMAND_TTL_S } from './act-block.ts';
/**
 * Routers per block: one statement allocates the block's versions, one INSERT records its
 * requests, one upsert records what the broker acknowledged.
 */
const BLOCK = 500;
/**
 * Blocks under way at once (so at most BLOCK * IN_FLIGHT publishes await their PUBACK): while
 * some wait for the database or the broker, another is signed.
 */
const IN_FLIGHT = 4;

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
  const job: BlockJob = { req, by, reason, rollout };
  const done = await inBlocks(targets.known, (ids) => runBlock(deps, job, ids));
  const outcomes: ActionOutcome[] = [
    ...targets.unknown.map((routerId) => ({ routerId, ok: false, error: 'unknown router' })),
    ...done.results,
  ];
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
  const stopped = done.failure
    ? `; stopped: ${String((done.failure.error as Error)?.message ?? done.failure.error)}`
    : '';
  const entry = deps.audit.record({
    operator: by.name,
    action: rollout ? `rollout.${req.action}` : req.action,
    // Every router targeted (after a failure also those of the blocks that did not run).
    routers: [...targets.unknown, ...targets.known],
    reason,
    outcome: `published ${published} of ${targets.unknown.length + targets.known.length}${pending ? `, ${pending} pending: router offline` : ''}${stopped}`,
    detail: {
      ...(req.policy && { policy: req.policy }),
      ...(rollout && { rollout: rollout.rolloutId, wave: rollout.wave }),
      ...(failures.length && {
        failures: failures.slice(0, 20).map((f) => `${f.routerId}: ${f.error}`),
      }),
    },
  });
  if (done.failure) {
    await entry.catch(() => {}); // the block's error is the one to report
    throw done.failure.error;
  }
  await entry;
  return result;
}

/**
 * Runs `run` over blocks of `ids`, IN_FLIGHT at a time; results in block order. After a
 * failure no new block starts; the ones under way end first, and their results count.
 */
async function inBlocks<T>(
  ids: readonly string[],
  run: (block: readonly string[]) => Promise<T[]>,
): Promise<{ results: T[]; failure: { error: unknown } | null }> {
  const blocks: (readonly string[])[] = [];
  for (let i = 0; i < ids.length; i += BLOCK) blocks.push(ids.slice(i, i + BLOCK));
  const results: T[][] = blocks.map(() => []);
  let next = 0;
  let failure = null as { error: unknown } | null;
  const lane = async () => {
    while (!failure && next < blocks.length) {
      const i = next++;
      try {
        results[i] = await run(blocks[i]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, blocks.length) }, lane));
  return { results: results.flat(), failure };
}
