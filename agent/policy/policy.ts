// What the agent enforces. Built only through parsePolicy (policy/parse-policy.ts), so every
// Policy the firewall code sees is valid and canonical (sorted, deduplicated).
import type { Family, Prefix } from './address.ts';

export type Action = 'drop' | 'reject';

export interface Policy {
  /** Off means: no rules at all (the agent's own objects are removed). */
  readonly enabled: boolean;
  /** drop: silent; reject: TCP reset, so a client fails at once instead of after its timeout. */
  readonly action: Action;
  /** Destination ports blocked toward the WAN, sorted. */
  readonly ports: readonly number[];
  /** The ISP's relays: destinations that stay reachable on the blocked ports. */
  readonly allow: readonly Prefix[];
  /** Egress devices that count as WAN, sorted. Empty: every device but loopback (fail closed). */
  readonly wanDevices: readonly string[];
  readonly families: readonly Family[];
}

export const DEFAULT_PORTS: readonly number[] = [25];
export const ALL_FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];
