// Which devices count as WAN: the config's `list wan_device`, plus the devices of the logical
// WAN interfaces (`list wan_interface`, default wan and wan6 where ubus exists) as netifd reports
// them. Pure: the ubus calls are made elsewhere.
import { InputError, quoteValue } from '../input-error.ts';
import type { Policy } from '../policy/policy.ts';
import { parseDeviceName } from '../policy/parse-policy.ts';
import { INTERFACE_NAME, type InterfaceStatus } from './interface-status.ts';

export const DEFAULT_WAN_INTERFACES: readonly string[] = ['wan', 'wan6'];

export function parseInterfaceName(value: unknown): string {
  if (typeof value === 'string' && INTERFACE_NAME.test(value)) return value;
  throw new InputError(
    'invalid_interface',
    `invalid wan_interface ${quoteValue(value)}: expected 1..32 of A-Z a-z 0-9 _`,
  );
}

/** The WAN interfaces to follow: as configured, else the default where ubus exists. */
export function wanInterfaces(configured: readonly string[] | null, ubus: boolean): string[] {
  return [...(configured ?? (ubus ? DEFAULT_WAN_INTERFACES : []))];
}

// Protocols whose device netifd names "<prefix>-<interface>" (ppp.sh, dslite.sh, map.sh, ...):
// the name is known before the first connection, so it is blocked before it first exists.
const TUNNEL_PREFIX: Readonly<Record<string, string>> = {
  ppp: 'ppp',
  pppoe: 'pppoe',
  pppoa: 'pppoa',
  pptp: 'pptp',
  l2tp: 'l2tp',
  '3g': '3g',
  dslite: 'ds',
  map: 'map',
  '6in4': '6in4',
  '6rd': '6rd',
  '6to4': '6to4',
};

/** The devices an interface sends through now (device, l3_device) or will once it is up. */
export function interfaceDevices(status: InterfaceStatus): string[] {
  const out: string[] = [];
  const add = (name: string | null): void => {
    if (name && !out.includes(name)) out.push(name);
  };
  add(status.l3Device);
  add(status.device);
  const prefix = status.proto ? TUNNEL_PREFIX[status.proto] : undefined;
  if (prefix) {
    const predicted = `${prefix}-${status.name}`;
    add(predicted.length <= 15 ? predicted : null);
  }
  return out;
}

export interface WanView {
  /** Devices of the WAN interfaces found, sorted. */
  readonly devices: readonly string[];
  /** The protocol of the first WAN interface found (the portal tells static from dynamic). */
  readonly proto: string | null;
  /** Configured interfaces netifd does not know. */
  readonly missing: readonly string[];
}

export function wanView(statuses: readonly InterfaceStatus[], names: readonly string[]): WanView {
  const devices: string[] = [];
  const missing: string[] = [];
  let proto: string | null = null;
  for (const name of names) {
    const status = statuses.find((s) => s.name === name);
    if (!status) {
      missing.push(name);
      continue;
    }
    proto ??= status.proto;
    devices.push(...interfaceDevices(status));
  }
  return { devices: mergeDevices(devices), proto, missing };
}

/** The union of device lists, sorted as the policy keeps them, without duplicates. */
export function mergeDevices(...lists: readonly (readonly string[])[]): string[] {
  const all = new Set<string>();
  for (const list of lists) for (const name of list) all.add(parseDeviceName(name));
  return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The policy with these devices added to its own wan_device list. */
export function withWanDevices(policy: Policy, devices: readonly string[]): Policy {
  return { ...policy, wanDevices: mergeDevices(policy.wanDevices, devices) };
}
