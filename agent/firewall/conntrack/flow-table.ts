// Parses `conntrack -L` and `ip -o route get` output, and picks the tracked port-25 flows that
// the new block would have stopped: to a non-relay address, leaving through a WAN device.
import type { Family } from '../../policy/address.ts';
import { addressInPrefixes, canonicalAddress } from '../../policy/address.ts';
import type { Policy } from '../../policy/policy.ts';

export interface Flow {
  readonly source: string;
  readonly destination: string;
  readonly destinationPort: number;
}

/**
 * The lines of `text` holding `dport=<port>` (a whole number) for one of `ports`, in order: the
 * only lines whose flow can go to one of those ports. A router tracks thousands of flows; finding
 * these few with indexOf costs a fraction of parsing every line (a RegExp is thousands of
 * instructions a call under QuickJS: 2,000 flows took about 300 M).
 */
function linesWithPort(text: string, ports: readonly number[]): string[] {
  const starts = new Set<number>();
  for (const port of ports) {
    const needle = `dport=${port}`;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      const next = text.charCodeAt(at + needle.length);
      if (next >= 0x30 && next <= 0x39) continue; // dport=250 is not port 25
      starts.add(text.lastIndexOf('\n', at) + 1);
    }
  }
  return [...starts]
    .sort((a, b) => a - b)
    .map((start) => {
      const end = text.indexOf('\n', start);
      return text.slice(start, end < 0 ? text.length : end);
    });
}

/**
 * The original direction of each TCP flow in `conntrack -L` or /proc/net/nf_conntrack text; with
 * `ports`, only the flows to those ports (the same flows, found without reading every line).
 */
export function parseConntrackList(text: string, ports?: readonly number[]): Flow[] {
  const flows: Flow[] = [];
  for (const line of ports ? linesWithPort(text, ports) : text.split('\n')) {
    // `tcp      6 431999 ESTABLISHED src=...`, in /proc prefixed with `ipv4     2 `.
    if (!/^(?:ipv[46]\s+\d+\s+)?tcp\s+6\s/.test(line.trim())) continue;
    // The first src/dst/dport on a line belong to the original direction.
    const src = /\bsrc=(\S+)/.exec(line)?.[1];
    const dst = /\bdst=(\S+)/.exec(line)?.[1];
    const dport = /\bdport=(\d+)/.exec(line)?.[1];
    const source = src ? canonicalAddress(src) : null;
    const destination = dst ? canonicalAddress(dst) : null;
    if (source && destination && dport && (!ports || ports.includes(Number(dport))))
      flows.push({ source, destination, destinationPort: Number(dport) });
  }
  return flows;
}

/** Egress device per destination, from `ip -o route get` lines (unreachable ones are absent). */
export function parseRouteLookups(text: string): Map<string, string> {
  const devices = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(?:(?:local|broadcast|unicast|multicast|anycast) )?(\S+) .*?\bdev (\S+)/.exec(
      line,
    );
    const address = match ? canonicalAddress(match[1]!) : null;
    if (match && address) devices.set(address, match[2]!);
  }
  return devices;
}

/** Destinations whose flows must be cut; `devices` maps each candidate to its egress device. */
export function destinationsToCut(
  flows: readonly Flow[],
  policy: Policy,
  devices: ReadonlyMap<string, string> | null,
): string[] {
  const candidates = new Set<string>();
  for (const flow of flows) {
    if (!policy.ports.includes(flow.destinationPort)) continue;
    if (addressInPrefixes(flow.destination, policy.allow)) continue;
    candidates.add(flow.destination);
  }
  return [...candidates].filter((destination) => {
    if (!devices) return true;
    const device = devices.get(destination);
    if (device === undefined) return false; // no route: no traffic can leave that way
    return policy.wanDevices.length ? policy.wanDevices.includes(device) : device !== 'lo';
  });
}

export function familyOf(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}
