// The policies the iptables-save fixtures (test/unit/fixtures/iptables/) were captured for, each
// applied with applyScript() through iptables-legacy-restore --noflush in a network namespace
// whose filter table looked like fw3's (fw3-base-ipv4.save).
import type { RawPolicy } from '../../../../agent/policy/parse-policy.ts';

/** counted-ipv4/ipv6.save and every tampered-*.save (IPv4). */
export const COUNTED: RawPolicy = {
  action: 'reject',
  ports: [25, 587],
  allow: ['203.0.113.25', '2001:db8::25'],
  wanDevices: ['wan'],
};

/** nowan-manyports-ipv4.save: 17 ports (two multiport rules), no WAN devices, drop. */
export const NO_WAN_MANY_PORTS: RawPolicy = {
  ports: [25, 465, 587, 2525, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  allow: ['198.51.100.0/28', '2001:db8:ff::/48'],
};

/** single-port-ipv6.save: port 25 only, two WAN devices, drop. */
export const SINGLE_PORT: RawPolicy = { wanDevices: ['wan', 'wan6'], allow: ['2001:db8::25'] };
