// What the service tells about routers: one line of the fleet list, one router's record, the
// fleet's counts and the blocked-attempt histories.
import type {
  Backend,
  ErrorDoc,
  StateDoc,
  StatusDoc,
  TopSource,
} from '../../contract/message-types.ts';

export interface RouterSummary {
  readonly id: string;
  /** Presence by the boot-id rule; false also when never seen online. */
  readonly online: boolean;
  readonly boot: string | null;
  readonly agentVersion: string | null;
  readonly model: string | null;
  readonly board: string | null;
  readonly release: string | null;
  /** `pppoe`, `dhcp` (dynamic customers), `static`, ...: from status.device.wan_proto. */
  readonly wanProto: string | null;
  /** Policy in force (status.policy); null before the first status. */
  readonly enabled: boolean | null;
  readonly appliedVersion: number | null;
  readonly policySource: 'config' | 'remote' | null;
  readonly action: 'drop' | 'reject' | null;
  readonly applied: boolean | null;
  readonly backend: Backend | null;
  readonly drift: readonly string[];
  readonly lastError: ErrorDoc | null;
  /** The newest desired state the portal published for it, if any. */
  readonly desiredVersion: number | null;
  readonly desiredEnabled: boolean | null;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** ISO time of the latest status document received. */
  readonly lastStatusAt: string | null;
  /** No status for more than two report intervals. */
  readonly notReporting: boolean;
  /** Blocked packets in the query's window (24 h unless the query says otherwise). */
  readonly blocked: number;
}

export interface RouterDetail extends RouterSummary {
  /**
   * When the router last went online or offline, or began a new run (the portal's clock); null
   * when not known (no state yet, or before the portal kept presence history).
   */
  readonly presenceSince: string | null;
  /** When the present run (`boot`) was first seen; null when not known. */
  readonly bootSeenAt: string | null;
  readonly state: StateDoc | null;
  readonly status: StatusDoc | null;
  /** LAN sources with the most attempts, over the router's history, most first. */
  readonly topSources: readonly TopSource[];
}

/**
 * How a run ended: `stopped` its goodbye (a clean stop), `lost` its Last Will (power cut, crash,
 * link lost), `offline` an offline document of unknown kind, `replaced` a new run announced
 * itself while this one was online (a restart faster than its offline document).
 */
export type BootEnd = 'stopped' | 'lost' | 'offline' | 'replaced';
export const BOOT_ENDS: readonly BootEnd[] = ['stopped', 'lost', 'offline', 'replaced'];

/** One ended run of a router's agent (a boot id), as the portal saw it. */
export interface BootRecord {
  readonly boot: string;
  /** The agent's version in that run, as last reported. */
  readonly agentVersion: string | null;
  /** When the portal first saw the run; null when it began before boot history was kept. */
  readonly firstSeen: string | null;
  /** When the portal learnt it had ended: its offline document, or the next run. */
  readonly endedAt: string;
  readonly endedBy: BootEnd;
}

/** The most boots kept per router (older ones are dropped). */
export const BOOTS_KEPT = 50;

export interface FleetSummary {
  readonly routers: number;
  readonly online: number;
  /** Policy enabled and applied. */
  readonly enforcing: number;
  readonly disabled: number;
  readonly driftedOrErroring: number;
  readonly notReporting: number;
}

export interface HourBucket {
  /** Start of the hour, ISO. */
  readonly hour: string;
  readonly blocked: number;
}

export interface TopBlockedRouter {
  readonly id: string;
  readonly model: string | null;
  readonly blocked: number;
  readonly topSources: readonly TopSource[];
}

/** One router's blocked packets per hour, oldest first (the fleet table's sparklines). */
export interface RouterBlockedSeries {
  readonly id: string;
  /** One count per hour of the window, every hour present. */
  readonly blocked: readonly number[];
}
