// What the stand-in netifd reports in the WAN-follow scenario (a PPPoE session up or down)
// and what the LAN prober keeps trying (port 25 foreign and relay, port 587).
import type { BackendSetting, PolicyConfig } from '../testbed/agent.ts';
import { PLAN } from '../testbed/plan.ts';

export const pppoe = (up: boolean, l3Device = 'pppoe-wan', address = '203.0.113.200') =>
  up
    ? {
        up: true,
        proto: 'pppoe',
        device: 'wan',
        l3_device: l3Device,
        'ipv4-address': [{ address, mask: 32 }],
        'ipv6-address': [],
      }
    : { up: false, proto: 'pppoe', device: 'wan' };

export const FOREIGN_25 = [
  { host: PLAN.wan.foreign.ipv4, port: 25 },
  { host: PLAN.wan.foreign.ipv6, port: 25 },
];
export const RELAY_25 = { host: PLAN.wan.relay.ipv4, port: 25 };
export const FOREIGN_587 = { host: PLAN.wan.foreign.ipv4, port: 587 };

/** The policy of the scenario: port 25 rejected, relays allowed, no WAN devices named (the
 * agent follows the UCI wan interfaces). */
export const followPolicy = (setting: BackendSetting): PolicyConfig => ({
  enabled: true,
  action: 'reject',
  ports: [25],
  allow: [PLAN.wan.relay.ipv4, PLAN.wan.relay.ipv6],
  backend: setting.backend,
  ...(setting.iptablesVariant ? { iptablesVariant: setting.iptablesVariant } : {}),
});
