// Staged rollouts: a bulk action sent in waves (e.g. 1 %, 10 %, the rest); the next wave only
// after the previous one's replies are in; halting by itself when too many replies of a wave are
// errors or missing. Pure: planning and the halting decision; portal/control runs it.
import type {
  ActionKind,
  ActionRecord,
  ActionStatus,
  ActionTarget,
  PolicyChange,
} from './action.ts';

export interface RolloutRequest {
  readonly action: ActionKind;
  readonly target: ActionTarget;
  readonly reason: string;
  readonly policy?: PolicyChange;
  /** Cumulative percentages of the targets, ascending, the last 100. Default [1, 10, 100]. */
  readonly waves?: readonly number[];
  /** Halt when the share of error replies in a wave exceeds this (0..1). Default 0.05. */
  readonly maxErrorShare?: number;
  /** Halt when the share of missing replies in a wave exceeds this (0..1). Default 0.1. */
  readonly maxMissingShare?: number;
  /** How long to wait for a wave's replies before counting them missing. Default: config. */
  readonly waveTimeoutMs?: number;
}

export type RolloutState = 'running' | 'paused' | 'halted' | 'aborted' | 'done';
export type WaveState = 'pending' | 'sent' | 'done';

export interface WaveRecord {
  readonly index: number;
  readonly size: number;
  readonly state: WaveState;
  readonly ok: number;
  readonly errors: number;
  readonly missing: number;
  /** Routers for which nothing could be published. */
  readonly failed: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface RolloutRecord {
  readonly id: string;
  readonly action: ActionKind;
  readonly reason: string;
  readonly operator: string;
  readonly policy: PolicyChange | null;
  readonly state: RolloutState;
  readonly haltReason: string | null;
  readonly total: number;
  readonly currentWave: number;
  readonly waves: readonly WaveRecord[];
  readonly maxErrorShare: number;
  readonly maxMissingShare: number;
  readonly waveTimeoutMs: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One router's request of a rollout, with the wave it went in (0-based). */
export interface RolloutActionRecord extends ActionRecord {
  readonly wave: number;
}

/** Which of a rollout's requests to list, in wave then router order. */
export interface RolloutActionQuery {
  readonly wave?: number;
  readonly status?: ActionStatus;
  readonly limit: number;
  readonly offset: number;
}
