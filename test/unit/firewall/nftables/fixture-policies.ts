// The policies the nft JSON fixtures (test/unit/fixtures/nftables/) were captured for: each
// fixture is `nft -j list table inet op25b` after `nft -f` of renderScript(desiredRuleset(policy)).
import type { RawPolicy } from '../../../../agent/policy/parse-policy.ts';

/** Drop, both families, two WAN devices, three ports, relays of both families. */
export const FULL: RawPolicy = {
  ports: ['25', '465', '587'],
  allow: ['203.0.113.25', '198.51.100.0/28', '2001:db8::25', '2001:db8:ff::/48'],
  wanDevices: ['wan', 'wan6'],
};

export const FIXTURE_POLICIES: Record<string, RawPolicy> = {
  full: FULL,
  'reject-ipv4': {
    action: 'reject',
    families: ['ipv4'],
    allow: ['203.0.113.25'],
    wanDevices: ['wan'],
  },
  'no-wan': {},
  'ipv6-only': { families: ['ipv6'], allow: ['2001:db8::/32'], wanDevices: ['pppoe-wan'] },
  'edge-relays': {
    allow: ['203.0.113.0/25', '203.0.113.128/25', '2001:DB8:0:0:1::/80', '2001:db8::abcd'],
    families: ['ipv6'],
  },
  // Captured after blocked connection attempts: 3 from 198.51.100.2 and 1 from 198.51.100.3
  // (IPv4), 2 from 2001:db8::2 (IPv6).
  counted: { action: 'reject', ports: [25, 587], allow: ['203.0.113.25'], wanDevices: ['wan'] },
};
