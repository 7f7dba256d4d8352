// Reads an xt_recent list (/proc/net/xt_recent/<name>): one line per source address, with the
// timestamps of its latest packets. The kernel keeps at most ip_pkt_list_tot timestamps per
// address, so on iptables the per-source count saturates there (the nftables backend's does not).
import { canonicalAddress } from '../../policy/address.ts';
import type { SourceCount } from '../backend.ts';

export function parseRecentList(text: string): SourceCount[] {
  const out: SourceCount[] = [];
  for (const line of text.split('\n')) {
    const match = /^src=(\S+) .*oldest_pkt: \d+ (.*)$/.exec(line.trim());
    const address = match ? canonicalAddress(match[1]!) : null;
    if (!match || !address) continue;
    out.push({ address, attempts: match[2]!.split(',').filter((s) => s.trim() !== '').length });
  }
  return out;
}
