// Runs staged rollouts from the database, so they survive a restart of the portal: each tick
// sends the current wave if it is pending, or checks whether the sent wave is over (all replies
// in, or its time out) and then halts the rollout or moves to the next wave. Pause, resume and
// abort are state changes the next tick obeys.
import { randomUUID } from 'node:crypto';
import type { Operator } from '../core/operator.ts';
import type { RolloutRecord, RolloutRequest, WaveRecord } from '../core/rollout.ts';
import {
  DEFAULT_MAX_ERROR_SHARE,
  DEFAULT_MAX_MISSING_SHARE,
  DEFAULT_WAVES,
  emptyWave,
  PlanError,
  planWaves,
  waveGate,
} from '../core/rollout-plan.ts';
import {
  getRollout,
  insertRollout,
  listRollouts,
  updateRollout,
  waveStatusCounts,
  type StoredRollout,
} from '../store/rollout-store.ts';
import { act, checkRequest, type ActDeps } from './act.ts';
import { ActionError } from './action-error.ts';
import { resolveTargets } from './targets.ts';

export interface RolloutDeps extends ActDeps {
  readonly defaultWaveTimeoutMs: number;
  readonly emit: (rollout: RolloutRecord) => void;
  readonly log: (line: string) => void;
}

const share = (value: number | undefined, fallback: number, name: string) => {
  const v = value ?? fallback;
  if (!(typeof v === 'number' && v >= 0 && v <= 1))
    throw new ActionError('invalid_rollout', `${name} must be a share between 0 and 1`);
  return v;
};

export async function startRollout(
  deps: RolloutDeps,
  req: RolloutRequest,
  by: Operator,
): Promise<RolloutRecord> {
  const reason = checkRequest(req, by);
  const { known, unknown } = await resolveTargets(deps.db, req.target, deps.clock());
  if (unknown.length) throw new ActionError('no_targets', `unknown router ${unknown[0]}`);
  if (known.length === 0) throw new ActionError('no_targets', 'no router matches');
  let plan: string[][];
  try {
    plan = planWaves(known, req.waves ?? DEFAULT_WAVES);
  } catch (error) {
    if (error instanceof PlanError) throw new ActionError('invalid_rollout', error.message);
    throw error;
  }
  const timeout = req.waveTimeoutMs ?? deps.defaultWaveTimeoutMs;
  if (!Number.isSafeInteger(timeout) || timeout < 100 || timeout > 86_400_000)
    throw new ActionError('invalid_rollout', 'waveTimeoutMs must be 100..86400000');
  const stored = await insertRollout(
    deps.db,
    {
      id: `ro-${randomUUID()}`,
      action: req.action,
      reason,
      operator: by.name,
      policy: req.policy ?? null,
      state: 'running',
      haltReason: null,
      currentWave: 0,
      waves: plan.map((ids, i) => emptyWave(i, ids.length)),
      maxErrorShare: share(req.maxErrorShare, DEFAULT_MAX_ERROR_SHARE, 'maxErrorShare'),
      maxMissingShare: share(req.maxMissingShare, DEFAULT_MAX_MISSING_SHARE, 'maxMissingShare'),
      waveTimeoutMs: timeout,
    },
    plan,
  );
  await deps.audit.record({
    operator: by.name,
    action: 'rollout.start',
    routers: known,
    reason,
    outcome: `${plan.length} waves: ${plan.map((w) => w.length).join(', ')}`,
    detail: { rollout: stored.record.id, action: req.action, policy: req.policy },
  });
  deps.emit(stored.record);
  return stored.record;
}

export async function controlRollout(
  deps: RolloutDeps,
  id: string,
  verb: 'pause' | 'resume' | 'abort',
  by: Operator,
  reason: string,
): Promise<RolloutRecord> {
  if (by.role !== 'operator' && by.role !== 'admin')
    throw new ActionError('forbidden', `${by.name} (${by.role}) may not control rollouts`);
  if (typeof reason !== 'string' || reason.trim() === '')
    throw new ActionError('reason_required', 'a reason is required');
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await getRollout(deps.db, id);
    if (!stored) throw new ActionError('not_found', `no rollout ${id}`);
    const r = stored.record;
    const allowed =
      verb === 'pause'
        ? r.state === 'running'
        : verb === 'resume'
          ? r.state === 'paused' || r.state === 'halted'
          : r.state === 'running' || r.state === 'paused' || r.state === 'halted';
    if (!allowed)
      throw new ActionError('invalid_state', `cannot ${verb} a rollout that is ${r.state}`);
    const next =
      verb === 'pause'
        ? 'paused'
        : verb === 'abort'
          ? 'aborted'
          : r.currentWave >= r.waves.length
            ? 'done'
            : 'running';
    const updated = await updateRollout(deps.db, id, stored.revision, {
      state: next,
      haltReason: verb === 'resume' ? null : r.haltReason,
      waves: r.waves,
      currentWave: r.currentWave,
    });
    if (!updated) continue; // changed meanwhile: read again
    await deps.audit.record({
      operator: by.name,
      action: `rollout.${verb}`,
      routers: [],
      reason: reason.trim(),
      outcome: `${r.state} -> ${next}`,
      detail: { rollout: id },
    });
    deps.emit(updated.record);
    return updated.record;
  }
  throw new ActionError('invalid_state', `rollout ${id} keeps changing; try again`);
}

/** One pass over the running rollouts. */
export async function runRollouts(deps: RolloutDeps): Promise<void> {
  for (const stored of await listRollouts(deps.db, 'running')) {
    try {
      await step(deps, stored);
    } catch (error) {
      deps.log(`rollout ${stored.record.id}: ${(error as Error).message}`);
    }
  }
}

async function step(deps: RolloutDeps, stored: StoredRollout): Promise<void> {
  const r = stored.record;
  const index = r.currentWave;
  const wave = r.waves[index];
  if (!wave) return;
  const nowMs = deps.clock().nowMs;
  const waves = (w: WaveRecord) => r.waves.map((x, i) => (i === index ? w : x));
  if (wave.state === 'pending') {
    const claimed = await updateRollout(deps.db, r.id, stored.revision, {
      state: 'running',
      haltReason: null,
      waves: waves({ ...wave, state: 'sent', startedAt: new Date(nowMs).toISOString() }),
      currentWave: index,
    });
    if (!claimed) return; // another instance sends it
    deps.emit(claimed.record);
    await act(
      deps,
      {
        action: r.action,
        target: { kind: 'list', ids: stored.plan[index]! },
        reason: r.reason,
        ...(r.policy && { policy: r.policy }),
      },
      { name: r.operator, role: 'operator' },
      { rolloutId: r.id, wave: index, ids: stored.plan[index]! },
    );
    return;
  }
  if (wave.state !== 'sent') return;
  const counts = await waveStatusCounts(deps.db, r.id, index);
  const tally = {
    size: wave.size,
    ok: counts.ok ?? 0,
    errors: counts.error ?? 0,
    failed: counts.failed ?? 0,
  };
  const gate = waveGate(tally, Date.parse(wave.startedAt!), nowMs, r.waveTimeoutMs, r);
  if (!gate.over) return;
  const done: WaveRecord = {
    ...wave,
    ...tally,
    missing: gate.missing,
    state: 'done',
    finishedAt: new Date(nowMs).toISOString(),
  };
  const last = index + 1 >= r.waves.length;
  const updated = await updateRollout(deps.db, r.id, stored.revision, {
    state: gate.halt ? 'halted' : last ? 'done' : 'running',
    haltReason: gate.halt ? `wave ${index + 1}: ${gate.halt}` : null,
    waves: waves(done),
    currentWave: index + 1,
  });
  if (!updated) return;
  if (gate.halt) {
    deps.log(`rollout ${r.id} halted: ${updated.record.haltReason}`);
    await deps.audit.record({
      operator: r.operator,
      action: 'rollout.halt',
      routers: [],
      reason: r.reason,
      outcome: `halted: ${updated.record.haltReason}`,
      detail: { rollout: r.id, wave: done },
    });
  }
  deps.emit(updated.record);
}
