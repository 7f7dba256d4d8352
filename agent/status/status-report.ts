// The status document: what the agent is told to enforce and what the kernel actually holds.
// The same shape is printed by `status`, kept in the run directory by the daemon and published
// (retained) on `<prefix>/<id>/status` (docs/mqtt-contract.md, schemas/status.schema.json).
import type { BackendDecision } from '../firewall/choose-backend.ts';
import type { Counters, Drift } from '../firewall/backend.ts';
import { formatPrefix } from '../policy/address.ts';
import type { EffectivePolicy } from '../policy/effective-policy.ts';
import type { RemoteControl } from '../remote/claims.ts';
import { AGENT_VERSION } from '../version.ts';

export interface ErrorReport {
  readonly code: string;
  readonly message: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export interface Enforcement {
  readonly decision: BackendDecision;
  /** The kernel matched the policy at the last check. */
  readonly applied: boolean;
  readonly drift: readonly Drift[];
  /** Milliseconds since the epoch of the last check, or null before the first. */
  readonly verifiedAt: number | null;
  /** Times the daemon put back rules that someone else had changed or removed. */
  readonly repairs: number;
  /** The latest repair: when, and what had changed. */
  readonly lastRepair?: { readonly at: number; readonly drift: readonly Drift[] };
}

export interface DeviceReport {
  readonly id: string | null;
  readonly model?: string;
  readonly board?: string;
  readonly release?: string;
  readonly wanProto?: string;
}

export interface AgentReport {
  readonly runtime: string;
  /** Random per daemon start; null for a one-shot command. */
  readonly boot: string | null;
  readonly startedAt: number | null;
  readonly daemon: boolean;
  /** The daemon with a broker: how it takes desired states and commands. */
  readonly remoteControl?: RemoteControl;
}

export interface StatusInput {
  readonly effective: EffectivePolicy;
  readonly enforcement: Enforcement;
  readonly counters: Counters;
  readonly device: DeviceReport;
  readonly agent: AgentReport;
  readonly lastError: ErrorReport | null;
  readonly now: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function statusReport(input: StatusInput) {
  const { policy, source, version } = input.effective;
  const { device, agent, enforcement } = input;
  return {
    policy: {
      enabled: policy.enabled,
      version,
      source,
      action: policy.action,
      ports: policy.ports,
      allow: policy.allow.map(formatPrefix),
      wan_devices: policy.wanDevices,
      families: policy.families,
    },
    enforcement: {
      applied: enforcement.applied,
      backend: enforcement.decision.name,
      backend_reason: enforcement.decision.reason,
      verified_at: iso(enforcement.verifiedAt),
      drift: enforcement.drift,
      repairs: enforcement.repairs,
      last_repair: enforcement.lastRepair
        ? { at: iso(enforcement.lastRepair.at), drift: enforcement.lastRepair.drift }
        : null,
    },
    counters: {
      blocked_packets: input.counters.blockedPackets,
      blocked_bytes: input.counters.blockedBytes,
      top_sources: input.counters.topSources.map((s) => ({
        address: s.address,
        attempts: s.attempts,
      })),
    },
    device: {
      id: device.id,
      ...(device.model !== undefined && { model: device.model }),
      ...(device.board !== undefined && { board: device.board }),
      ...(device.release !== undefined && { release: device.release }),
      ...(device.wanProto !== undefined && { wan_proto: device.wanProto }),
    },
    agent: {
      version: AGENT_VERSION,
      runtime: agent.runtime,
      boot: agent.boot,
      started_at: iso(agent.startedAt),
      daemon: agent.daemon,
      ...(agent.remoteControl !== undefined && { remote_control: agent.remoteControl }),
    },
    last_error: input.lastError && {
      code: input.lastError.code,
      message: input.lastError.message,
      at: iso(input.lastError.at),
    },
    reported_at: iso(input.now),
  };
}

export type StatusDocument = ReturnType<typeof statusReport>;
