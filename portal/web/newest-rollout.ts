// Which version of a rollout to show when the snapshot (GET) and the event stream both bring
// one: the later change (updatedAt), whichever arrived last, so a slow answer never undoes a
// newer event nor an event an older answer. Pure.
import type { RolloutRecord } from './api-types.ts';

/** The later of two versions of one rollout; on a tie (one change), `incoming`. */
export function newestRollout(
  shown: RolloutRecord | undefined,
  incoming: RolloutRecord | undefined,
): RolloutRecord | undefined {
  if (!shown) return incoming;
  if (!incoming) return shown;
  return Date.parse(incoming.updatedAt) >= Date.parse(shown.updatedAt) ? incoming : shown;
}

/** Keeps the newest version of `incoming` in `seen` (one entry per rollout, arrival order). */
export function rememberRollout(
  seen: readonly RolloutRecord[],
  incoming: RolloutRecord,
): RolloutRecord[] {
  const i = seen.findIndex((r) => r.id === incoming.id);
  if (i < 0) return [...seen, incoming];
  return seen.map((r, j) => (j === i ? newestRollout(r, incoming)! : r));
}

/**
 * The list (newest first) with what the events brought: each known rollout in its newest
 * version, the ones the list does not have yet in front, the last arrived first.
 */
export function withRollouts(
  list: readonly RolloutRecord[],
  seen: readonly RolloutRecord[],
): RolloutRecord[] {
  const byId = new Map(seen.map((r) => [r.id, r]));
  const known = list.map((r) => newestRollout(r, byId.get(r.id))!);
  const listed = new Set(list.map((r) => r.id));
  const added = seen.filter((r) => !listed.has(r.id)).reverse();
  return [...added, ...known];
}
