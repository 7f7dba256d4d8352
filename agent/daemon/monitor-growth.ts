// `nft monitor` keeps a cache of the ruleset and adds every set element it hears of to it, but
// never takes one out (nftables 1.0.6 to 1.1.6: netlink_events_cache_update handles
// NEWSETELEM, not DELSETELEM; only a deleted table frees its share). On a router where
// something churns a set (dnsmasq's nftset, banIP, a script) the monitor grows without bound,
// about 0.3 KB per element added. Pure: the daemon reads /proc and decides with these.

/** How much the monitor may grow over its first reading before it is restarted (KB). */
export const MONITOR_GROWTH_LIMIT_KB = 2048;

/** VmRSS from /proc/<pid>/status, in KB; null when absent (the process is gone). */
export function residentKb(status: string | null): number | null {
  const match = status === null ? null : /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) : null;
}

/** True when the monitor has grown enough over `baselineKb` to be worth a restart. */
export function grewTooMuch(baselineKb: number, currentKb: number): boolean {
  return currentKb - baselineKb >= MONITOR_GROWTH_LIMIT_KB;
}
