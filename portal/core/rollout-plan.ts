// Planning a staged rollout (which routers go in which wave) and the gate between waves: a wave
// is over when every router answered or the wave's time ran out; it halts the rollout when the
// share of error replies or of missing replies passes its threshold.
import type { WaveRecord } from './rollout.ts';

export const DEFAULT_WAVES: readonly number[] = [1, 10, 100];
export const DEFAULT_MAX_ERROR_SHARE = 0.05;
export const DEFAULT_MAX_MISSING_SHARE = 0.1;

export class PlanError extends Error {}

/** Checks cumulative percentages: ascending, within 0 < p <= 100, the last one 100. */
export function checkWaves(percents: readonly number[]): void {
  if (percents.length === 0 || percents.length > 20)
    throw new PlanError('waves: 1 to 20 cumulative percentages');
  let previous = 0;
  for (const p of percents) {
    if (!(typeof p === 'number' && p > previous && p <= 100))
      throw new PlanError('waves must be ascending percentages, each > 0 and <= 100');
    previous = p;
  }
  if (previous !== 100) throw new PlanError('the last wave must be 100 (every target)');
}

/** Splits the targets (in the given order) into waves; each wave has at least one router. */
export function planWaves(ids: readonly string[], percents: readonly number[]): string[][] {
  checkWaves(percents);
  const waves: string[][] = [];
  let taken = 0;
  for (const p of percents) {
    const upTo = Math.min(ids.length, Math.max(taken + 1, Math.ceil((ids.length * p) / 100)));
    if (upTo > taken) waves.push(ids.slice(taken, upTo));
    taken = upTo;
  }
  return waves;
}

export interface WaveCounts {
  readonly size: number;
  readonly ok: number;
  readonly errors: number;
  /** Nothing could be published: counted as errors. */
  readonly failed: number;
}

export type WaveGate =
  | { readonly over: false }
  | { readonly over: true; readonly missing: number; readonly halt: string | null };

export function waveGate(
  counts: WaveCounts,
  startedAtMs: number,
  nowMs: number,
  timeoutMs: number,
  thresholds: { readonly maxErrorShare: number; readonly maxMissingShare: number },
): WaveGate {
  const answered = counts.ok + counts.errors + counts.failed;
  const timedOut = nowMs - startedAtMs >= timeoutMs;
  if (answered < counts.size && !timedOut) return { over: false };
  const missing = counts.size - answered;
  const size = Math.max(counts.size, 1);
  const errorShare = (counts.errors + counts.failed) / size;
  const missingShare = missing / size;
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  let halt: string | null = null;
  if (errorShare > thresholds.maxErrorShare)
    halt = `error replies ${pct(errorShare)} > ${pct(thresholds.maxErrorShare)}`;
  else if (missingShare > thresholds.maxMissingShare)
    halt = `missing replies ${pct(missingShare)} > ${pct(thresholds.maxMissingShare)}`;
  return { over: true, missing, halt };
}

export function emptyWave(index: number, size: number): WaveRecord {
  return {
    index,
    size,
    state: 'pending',
    ok: 0,
    errors: 0,
    missing: 0,
    failed: 0,
    startedAt: null,
    finishedAt: null,
  };
}
