// The nftables ruleset for a policy, as plain data. Rules are written in nft's own syntax, exactly
// as `nft list` prints them back, so the same strings serve for applying and for verifying.
import { formatPrefix } from '../../policy/address.ts';
import type { Policy } from '../../policy/policy.ts';
import {
  BASE_PRIORITY,
  CHAIN_BLOCK,
  CHAIN_FORWARD,
  CHAIN_OUTPUT,
  COUNTER_BLOCKED,
  SET_PORTS,
  SET_RELAYS_V4,
  SET_RELAYS_V6,
  SET_SOURCES_V4,
  SET_SOURCES_V6,
  SET_WAN_DEVICES,
} from './names.ts';

export type NftSetType = 'ifname' | 'inet_service' | 'ipv4_addr' | 'ipv6_addr';

export interface NftSet {
  readonly name: string;
  readonly type: NftSetType;
  /** Static elements (canonical text), or 'dynamic' for sets the kernel fills itself. */
  readonly elements: readonly string[] | 'dynamic';
}

export interface NftBaseChain {
  readonly type: string;
  readonly hook: string;
  readonly priority: number;
  readonly policy: string;
}

export interface NftChain {
  readonly name: string;
  readonly base: NftBaseChain | null;
  readonly rules: readonly string[];
}

export interface NftRuleset {
  readonly counters: readonly string[];
  readonly sets: readonly NftSet[];
  readonly chains: readonly NftChain[];
}

/** The table for this policy, or null: a disabled policy means no table at all. */
export function desiredRuleset(policy: Policy): NftRuleset | null {
  if (!policy.enabled) return null;
  const v4 = policy.families.includes('ipv4');
  const v6 = policy.families.includes('ipv6');
  const familyMatch = v4 && v6 ? '' : `meta nfproto ${v4 ? 'ipv4' : 'ipv6'} `;
  // No known WAN device: block on every egress but loopback rather than on none (fail closed).
  const egressMatch = policy.wanDevices.length ? `oifname @${SET_WAN_DEVICES}` : 'oifname != "lo"';
  const entry = `${familyMatch}${egressMatch} tcp dport @${SET_PORTS} jump ${CHAIN_BLOCK}`;
  const relays = (family: 'ipv4' | 'ipv6'): string[] =>
    policy.allow.filter((p) => p.family === family).map(formatPrefix);
  const verdict =
    policy.action === 'reject'
      ? `meta l4proto tcp counter name "${COUNTER_BLOCKED}" reject with tcp reset`
      : `counter name "${COUNTER_BLOCKED}" drop`;
  return {
    counters: [COUNTER_BLOCKED],
    sets: [
      { name: SET_WAN_DEVICES, type: 'ifname', elements: policy.wanDevices },
      { name: SET_PORTS, type: 'inet_service', elements: policy.ports.map(String) },
      { name: SET_RELAYS_V4, type: 'ipv4_addr', elements: relays('ipv4') },
      { name: SET_RELAYS_V6, type: 'ipv6_addr', elements: relays('ipv6') },
      { name: SET_SOURCES_V4, type: 'ipv4_addr', elements: 'dynamic' },
      { name: SET_SOURCES_V6, type: 'ipv6_addr', elements: 'dynamic' },
    ],
    chains: [
      {
        name: CHAIN_FORWARD,
        base: { type: 'filter', hook: 'forward', priority: BASE_PRIORITY, policy: 'accept' },
        rules: [entry],
      },
      {
        name: CHAIN_OUTPUT,
        base: { type: 'filter', hook: 'output', priority: BASE_PRIORITY, policy: 'accept' },
        rules: [entry],
      },
      {
        name: CHAIN_BLOCK,
        base: null,
        rules: [
          `ip daddr @${SET_RELAYS_V4} return`,
          `ip6 daddr @${SET_RELAYS_V6} return`,
          ...(v4 ? [`update @${SET_SOURCES_V4} { ip saddr }`] : []),
          ...(v6 ? [`update @${SET_SOURCES_V6} { ip6 saddr }`] : []),
          verdict,
        ],
      },
    ],
  };
}
