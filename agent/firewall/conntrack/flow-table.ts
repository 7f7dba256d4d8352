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

/** The original direction of each TCP flow in `conntrack -L` or /proc/net/nf_conntrack text. */
export function parseConntrackList(text: string): Flow[] {
  const flows: Flow[] = [];
  for (const line of text.split('\n')) {
    // `tcp      6 431999 ESTABLISHED src=...`, in /proc prefixed with `ipv4     2 `.
    if (!/^(?:ipv[46]\s+\d+\s+)?tcp\s+6\s/.test(line.trim())) continue;
    // The first src/dst/dport on a line belong to the original direction.
    const src = /\bsrc=(\S+)/.exec(line)?.[1];
    const dst = /\bdst=(\S+)/.exec(line)?.[1];
    const dport = /\bdport=(\d+)/.exec(line)?.[1];
    const source = src ? canonicalAddress(src) : null;
    const destination = dst ? canonicalAddress(dst) : null;
    if (source && destination && dport)
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
