// Which routers an action targets: one, a list, every router matching a filter, or all. Only
// routers the portal knows (it has heard from them) can be targeted.
import type { ActionTarget } from '../core/action.ts';
import type { Db } from '../store/db.ts';
import { matchingIds, type QueryClock } from '../store/fleet-queries.ts';

export interface Targets {
  readonly known: string[];
  readonly unknown: string[];
}

export async function resolveTargets(
  db: Db,
  target: ActionTarget,
  clock: QueryClock,
): Promise<Targets> {
  if (target.kind === 'filter')
    return { known: await matchingIds(db, target.query, clock), unknown: [] };
  if (target.kind === 'all') return { known: await matchingIds(db, {}, clock), unknown: [] };
  const asked = [...new Set(target.kind === 'one' ? [target.id] : target.ids)];
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM routers WHERE id = ANY($1::text[])',
    [asked],
  );
  const known = new Set(rows.map((r) => r.id));
  return {
    known: asked.filter((id) => known.has(id)).sort(),
    unknown: asked.filter((id) => !known.has(id)),
  };
}
