// The API's answers as the pages see them: the service's own types (portal/core), imported as
// types only so nothing of the server enters the bundle.
export type { Operator, Role } from '../core/operator.ts';
export type {
  BootEnd,
  BootRecord,
  FleetSummary,
  HourBucket,
  RouterDetail,
  RouterSummary,
  TopBlockedRouter,
} from '../core/router-views.ts';
export type {
  ActionKind,
  ActionRecord,
  ActionResult,
  ActionStatus,
  ActionOutcome,
} from '../core/action.ts';
export type { RolloutRecord } from '../core/rollout.ts';
export type { Account, ApiTokenInfo } from '../auth/accounts-store.ts';
export type { FleetEvent } from '../core/fleet-event.ts';
export type { AuditEntry } from '../core/audit-entry.ts';
export type { TopSource, StatusDoc, StateDoc, ReplyDoc } from '../../contract/message-types.ts';

import type { RouterSummary } from '../core/router-views.ts';
import type { Operator } from '../core/operator.ts';

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

export interface Items<T> {
  readonly items: T[];
}

export interface Me {
  readonly operator: Operator;
  readonly via: 'token' | 'session';
}

export interface LoginAnswer {
  readonly operator: Operator;
  readonly csrfToken: string;
}

export type RouterPage = Page<RouterSummary>;
