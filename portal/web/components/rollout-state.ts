// A rollout's state and progress as text (the badge's colour only repeats what the word says).
import type { RolloutRecord } from '../api-types.ts';
import { html } from '../html.ts';

const BADGE: Record<RolloutRecord['state'], string> = {
  running: 'warn',
  paused: 'warn',
  halted: 'bad',
  aborted: 'off',
  done: 'ok',
};

export function RolloutStateBadge(props: { state: RolloutRecord['state'] }) {
  return html`<span class="badge ${BADGE[props.state]}" data-state=${props.state}
    >${props.state}</span
  >`;
}

export interface RolloutProgress {
  /** Routers whose wave was sent. */
  readonly sent: number;
  /** Routers that answered, timed out or could not be sent to. */
  readonly settled: number;
  readonly ok: number;
  readonly errors: number;
  readonly missing: number;
  readonly failed: number;
}

export function rolloutProgress(r: RolloutRecord): RolloutProgress {
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let missing = 0;
  let failed = 0;
  for (const w of r.waves) {
    if (w.state !== 'pending') sent += w.size;
    ok += w.ok;
    errors += w.errors;
    missing += w.missing;
    failed += w.failed;
  }
  return { sent, settled: ok + errors + missing + failed, ok, errors, missing, failed };
}

/** e.g. "wave 2 of 3 · 11 of 100 routers settled" */
export function progressText(r: RolloutRecord): string {
  const p = rolloutProgress(r);
  const n = r.waves.length;
  const wave = Math.min(r.currentWave + 1, n);
  const where =
    r.state === 'done'
      ? `all ${n} waves`
      : r.state === 'running'
        ? `wave ${wave} of ${n}`
        : r.currentWave >= n
          ? `after the last of ${n} waves`
          : `next: wave ${wave} of ${n}`;
  return `${where} · ${p.settled} of ${r.total} routers settled`;
}
