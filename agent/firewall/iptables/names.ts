// Every name the iptables backend uses. The agent owns the chains OP25B and OP25B_BLOCK in the
// filter table of iptables and ip6tables, jumped to first thing from FORWARD and OUTPUT.
import type { Family } from '../../policy/address.ts';

export const CHAIN_ENTRY = 'OP25B';
export const CHAIN_BLOCK = 'OP25B_BLOCK';
export const HOOK_CHAINS = ['FORWARD', 'OUTPUT'] as const;

/** xt_recent lists (/proc/net/xt_recent/<name>) that remember blocked sources. */
export const RECENT_LIST: Record<Family, string> = { ipv4: 'op25b_v4', ipv6: 'op25b_v6' };
// iptables-save prints the --mask even when left at its default, so we always write it.
export const RECENT_MASK: Record<Family, string> = {
  ipv4: '255.255.255.255',
  ipv6: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
};

// multiport takes at most 15 ports per rule.
export const MULTIPORT_MAX = 15;
