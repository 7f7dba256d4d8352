// The test bed's address plan. Only documentation ranges are used: 198.51.100.0/24 on the LAN
// side, 203.0.113.0/24 on the WAN side and 2001:db8::/32 for IPv6 (never 192.0.2.0/24, which is
// this machine's own uplink). Nothing is routed in the root namespace.

/** The four namespaces of a test bed, by role. */
export type NodeName = 'lan1' | 'lan2' | 'router' | 'wan';
export const NODE_NAMES: readonly NodeName[] = ['lan1', 'lan2', 'router', 'wan'];

export type IpFamily = 'ipv4' | 'ipv6';
export const IP_FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];

/** One address of each family. */
export interface DualStack {
  readonly ipv4: string;
  readonly ipv6: string;
}

/** The router's interfaces, named as the agent's config refers to them. */
export const ROUTER_DEVICES = { lan1: 'lan1', lan2: 'lan2', wan: 'wan' } as const;
/** The name of the single interface in each host namespace (lan1, lan2, wan). */
export const HOST_DEVICE = 'eth0';

export const PLAN = {
  lan1: {
    prefix: { ipv4: '198.51.100.0/26', ipv6: '2001:db8:1::/64' },
    router: { ipv4: '198.51.100.1', ipv6: '2001:db8:1::1' },
    host: { ipv4: '198.51.100.10', ipv6: '2001:db8:1::10' },
  },
  lan2: {
    prefix: { ipv4: '198.51.100.64/26', ipv6: '2001:db8:2::/64' },
    router: { ipv4: '198.51.100.65', ipv6: '2001:db8:2::1' },
    host: { ipv4: '198.51.100.74', ipv6: '2001:db8:2::10' },
  },
  wan: {
    prefix: { ipv4: '203.0.113.0/24', ipv6: '2001:db8:ff::/64' },
    router: { ipv4: '203.0.113.1', ipv6: '2001:db8:ff::1' },
    /** The far end of the router's WAN link. */
    link: { ipv4: '203.0.113.2', ipv6: '2001:db8:ff::2' },
    /** The ISP's mail relay: reachable on port 25 when the block is on. */
    relay: { ipv4: '203.0.113.25', ipv6: '2001:db8:ff::25' },
    /** Some other mail server on the internet: blocked on port 25. */
    foreign: { ipv4: '203.0.113.99', ipv6: '2001:db8:ff::99' },
  },
} as const;

/** Prefix lengths of the plan's subnets. */
export const PREFIX_LENGTH = {
  lan: { ipv4: 26, ipv6: 64 },
  wan: { ipv4: 24, ipv6: 64 },
} as const;

/** Ports with listeners in the wan namespace; lan2 listens on SMTP_PORT only. */
export const SMTP_PORT = 25;
export const SUBMISSION_PORTS = [587, 465] as const;
export const WAN_PORTS: readonly number[] = [SMTP_PORT, ...SUBMISSION_PORTS];
export const LAN2_PORTS: readonly number[] = [SMTP_PORT];

/** Every address the plan uses, for checks that nothing strays outside the allowed ranges. */
export function planAddresses(): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value.replace(/\/\d+$/, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(PLAN);
  return out;
}
