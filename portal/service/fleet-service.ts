// The facade the HTTP layer, the CLI and main.ts use. Everything about routers, actions and
// rollouts goes through it; the types live in portal/core and are re-exported here.
import type { ActionRecord, ActionRequest, ActionResult } from '../core/action.ts';
import type { AuditSink } from '../core/audit-entry.ts';
import type { FleetEvent } from '../core/fleet-event.ts';
import type { FleetQuery } from '../core/fleet-query.ts';
import type { Operator } from '../core/operator.ts';
import type {
  RolloutActionQuery,
  RolloutActionRecord,
  RolloutRecord,
  RolloutRequest,
} from '../core/rollout.ts';
import type {
  BootRecord,
  FleetSummary,
  HourBucket,
  RouterDetail,
  RouterSummary,
  RouterBlockedSeries,
  TopBlockedRouter,
} from '../core/router-views.ts';
import type { Signer } from '../signing/signer.ts';
import type { Db } from '../store/db.ts';

export type * from '../core/action.ts';
export type * from '../core/audit-entry.ts';
export type * from '../core/fleet-event.ts';
export type * from '../core/fleet-query.ts';
export type * from '../core/operator.ts';
export type * from '../core/rollout.ts';
export type * from '../core/router-views.ts';

export interface FleetService {
  /**
   * A page of the fleet list and the number of routers matching; totalEstimated: that number is
   * the database's estimate (a broad filter at a large fleet, docs/portal.md).
   */
  listRouters(
    q: FleetQuery,
  ): Promise<{ items: RouterSummary[]; total: number; totalEstimated?: boolean }>;
  summary(): Promise<FleetSummary>;
  getRouter(id: string): Promise<RouterDetail | null>;
  /** Blocked packets per hour, oldest first; id null = the whole fleet. */
  blockedHistory(id: string | null, hours: number): Promise<HourBucket[]>;
  /** Blocked packets per hour of each given router (unknown ids: all zero), in the given order. */
  blockedSeries(ids: readonly string[], hours: number): Promise<RouterBlockedSeries[]>;
  /** The routers with the most blocked packets in the window, with their top LAN sources. */
  topBlocked(hours: number, limit: number): Promise<TopBlockedRouter[]>;
  /** The router's ended runs (boot ids), newest first, and how many are kept (at most 50). */
  bootHistory(
    id: string,
    limit: number,
    offset: number,
  ): Promise<{ items: BootRecord[]; total: number }>;
  /** Desired states and commands sent to the router, newest first. */
  actionHistory(id: string, limit: number): Promise<ActionRecord[]>;
  /** Throws ActionError (portal/control/action-error.ts) for a refused request. */
  act(req: ActionRequest, by: Operator): Promise<ActionResult>;
  startRollout(req: RolloutRequest, by: Operator): Promise<RolloutRecord>;
  listRollouts(): Promise<RolloutRecord[]>;
  getRollout(id: string): Promise<RolloutRecord | null>;
  /** The rollout's requests with the routers' replies, in wave then router order. */
  rolloutActions(
    id: string,
    q: RolloutActionQuery,
  ): Promise<{ items: RolloutActionRecord[]; total: number }>;
  controlRollout(
    id: string,
    verb: 'pause' | 'resume' | 'abort',
    by: Operator,
    reason: string,
  ): Promise<RolloutRecord>;
  /** Change events for SSE: router updated, reply arrived, rollout progress. Returns unsubscribe. */
  onEvent(listener: (e: FleetEvent) => void): () => void;
}

/**
 * What the service needs of the configuration (portal/config's PortalConfig is a superset).
 * TLS fields are file paths.
 */
export interface FleetServiceConfig {
  readonly mqtt: {
    readonly url: string;
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly username?: string;
    readonly password?: string;
    /** `$share/<group>/...` subscriptions, so several instances split the load. */
    readonly shareGroup?: string;
    readonly clientId?: string;
  };
  readonly topicPrefix: string;
  /** A request without a reply after this long is `no reply`. */
  readonly replyTimeoutMs: number;
  /** The routers' agent.report_interval: no status for two of them is "not reporting". */
  readonly reportIntervalS: number;
  /** Re-sign retained desired states this long before their exp. */
  readonly resignBeforeS: number;
  /** Larger incoming messages are counted invalid unread. */
  readonly maxPayloadBytes: number;
  /** Lifetime of a signed desired state (re-signed resignBeforeS before it ends). */
  readonly desiredTtlS?: number;
}

export interface FleetServiceDeps {
  readonly db: Db;
  readonly config: FleetServiceConfig;
  readonly signer: Signer;
  readonly audit: AuditSink;
  readonly log: (line: string) => void;
}

export type RunningFleetService = FleetService & { stop(): Promise<void> };

export { startFleetService } from './start-fleet-service.ts';
