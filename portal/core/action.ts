// Actions an operator asks for, and what the service records and answers about them.
import type { CommandOp, PolicyAction, ReplyDoc } from '../../contract/message-types.ts';
import type { FleetQuery } from './fleet-query.ts';

/** enable/disable/policy publish a new desired state; reapply/verify/report send a command. */
export type ActionKind = 'enable' | 'disable' | 'policy' | 'reapply' | 'verify' | 'report';

export const ACTION_KINDS: readonly ActionKind[] = [
  'enable',
  'disable',
  'policy',
  'reapply',
  'verify',
  'report',
];

export function commandOp(kind: ActionKind): CommandOp | null {
  return kind === 'reapply' || kind === 'verify' || kind === 'report' ? kind : null;
}

/** Fields of the desired state that a `policy` action replaces; absent ones are kept. */
export interface PolicyChange {
  readonly action?: PolicyAction;
  readonly allow?: readonly string[];
  readonly ports?: readonly number[];
}

export type ActionTarget =
  | { readonly kind: 'one'; readonly id: string }
  | { readonly kind: 'list'; readonly ids: readonly string[] }
  | { readonly kind: 'filter'; readonly query: FleetQuery }
  | { readonly kind: 'all' };

export interface ActionRequest {
  readonly action: ActionKind;
  readonly target: ActionTarget;
  /** Required, non-empty: it goes to the audit log and the router's history. */
  readonly reason: string;
  /** For `policy` (and optionally with enable). */
  readonly policy?: PolicyChange;
}

export interface ActionOutcome {
  readonly routerId: string;
  /** Published to the broker (a reply may still be an error), or kept to send (`pending`). */
  readonly ok: boolean;
  /** A command kept until the offline router comes back. */
  readonly pending?: boolean;
  readonly version?: number;
  readonly commandId?: string;
  /** Why nothing was published for this router. */
  readonly error?: string;
}

export interface ActionResult {
  readonly action: ActionKind;
  readonly requested: number;
  readonly published: number;
  /** Commands kept for offline routers. */
  readonly pending: number;
  readonly failed: number;
  readonly outcomes: readonly ActionOutcome[];
}

/**
 * Where a request stands: sent and waiting; `ok`/`error` by the router's reply; `no reply` after
 * the timeout; `pending: router offline` when sent to an offline router (a desired state is
 * retained and reaches it when it comes back); `failed` when the publish failed (the broker
 * did not acknowledge it).
 */
export type ActionStatus =
  'sent' | 'ok' | 'error' | 'no reply' | 'pending: router offline' | 'failed';

export const ACTION_STATUSES: readonly ActionStatus[] = [
  'sent',
  'ok',
  'error',
  'no reply',
  'pending: router offline',
  'failed',
];

/** One desired state or command sent to one router, as kept in its history. */
export interface ActionRecord {
  readonly id: number;
  readonly routerId: string;
  readonly kind: 'desired' | 'command';
  readonly action: ActionKind;
  readonly version: number | null;
  readonly commandId: string | null;
  /** The claims sent (desired fields or {id, op}), without the envelope. */
  readonly content: Readonly<Record<string, unknown>>;
  readonly operator: string;
  readonly reason: string;
  readonly rolloutId: string | null;
  readonly status: ActionStatus;
  readonly reply: ReplyDoc | null;
  readonly sentAt: string;
  readonly repliedAt: string | null;
}
