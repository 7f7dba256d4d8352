// The `status` document: what the agent is told to enforce and what the kernel actually holds.
import type { AgentConfig } from '../config/agent-config.ts';
import type { Counters, Drift } from '../firewall/backend.ts';
import type { BackendDecision } from '../firewall/choose-backend.ts';
import { formatPrefix } from '../policy/address.ts';
import type { Policy } from '../policy/policy.ts';
import { AGENT_VERSION } from '../version.ts';

export interface PolicyView {
  readonly enabled: boolean;
  readonly action: string;
  readonly ports: readonly number[];
  readonly allow: readonly string[];
  readonly wan_devices: readonly string[];
  readonly families: readonly string[];
}

export function policyView(policy: Policy): PolicyView {
  return {
    enabled: policy.enabled,
    action: policy.action,
    ports: policy.ports,
    allow: policy.allow.map(formatPrefix),
    wan_devices: policy.wanDevices,
    families: policy.families,
  };
}

export interface StatusInput {
  readonly config: AgentConfig;
  readonly decision: BackendDecision;
  readonly drift: readonly Drift[];
  readonly counters: Counters;
  readonly runtime: string;
  readonly now: number;
}

export function statusReport(input: StatusInput) {
  return {
    agent: { version: AGENT_VERSION, runtime: input.runtime },
    policy: policyView(input.config.policy),
    backend: { name: input.decision.name, reason: input.decision.reason },
    applied: input.drift.length === 0,
    drift: input.drift,
    counters: {
      blocked_packets: input.counters.blockedPackets,
      blocked_bytes: input.counters.blockedBytes,
      top_sources: input.counters.topSources.map((s) => ({
        address: s.address,
        attempts: s.attempts,
      })),
    },
    checked_at: new Date(input.now).toISOString(),
  };
}
