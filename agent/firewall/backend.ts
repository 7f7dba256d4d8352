// The contract both netfilter backends fulfil. Callers never learn which one runs.
import type { Backend } from '../../contract/message-types.ts';
import type { Policy } from '../policy/policy.ts';

/** nftables or iptables on a router; `simulated` only under Node (firewall/simulated/). */
export type BackendName = Backend;

/** One way in which the kernel differs from the policy, in words an engineer can act on. */
export type Drift = string;

export interface SourceCount {
  readonly address: string;
  /** Blocked packets (connection attempts and their retries) from this source. */
  readonly attempts: number;
}

export interface Counters {
  readonly blockedPackets: number;
  readonly blockedBytes: number;
  /** Most active blocked sources first. */
  readonly topSources: readonly SourceCount[];
}

export const NO_COUNTERS: Counters = { blockedPackets: 0, blockedBytes: 0, topSources: [] };

export interface ApplyResult {
  /** False when the kernel already matched the policy and nothing was written. */
  readonly changed: boolean;
}

export interface ApplyOptions {
  readonly force?: boolean;
}

export interface FirewallBackend {
  readonly name: BackendName;
  /**
   * Makes the kernel match the policy: one transaction (per address family for iptables).
   * Writes nothing when the kernel already matches, unless `force` is set.
   */
  apply(policy: Policy, options?: ApplyOptions): Promise<ApplyResult>;
  /** Differences between the kernel and the policy; empty when they match. */
  verify(policy: Policy): Promise<Drift[]>;
  /** What the kernel counted for the agent's block rules. */
  counters(): Promise<Counters>;
  /** Deletes every object this backend ever created; a no-op when there are none. */
  remove(): Promise<void>;
  /** The text the backend would hand to its tool for this policy (dry run). */
  render(policy: Policy): string;
}

/** The first `lines` lines of a tool's stderr, on one line, for an error message. */
export function stderrSummary(stderr: string, lines = 1): string {
  return stderr.trim().split('\n').slice(0, lines).join(' | ');
}

/** A firewall tool failed; the message carries its stderr. Maps to exit code 1. */
export class FirewallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FirewallError';
  }
}

export function topSources(counts: SourceCount[], limit: number): SourceCount[] {
  return counts
    .filter((c) => c.attempts > 0)
    .sort((a, b) => b.attempts - a.attempts || (a.address < b.address ? -1 : 1))
    .slice(0, limit);
}
