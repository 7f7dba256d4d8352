// netifd's view of a logical interface: `ubus call network.interface.<name> status`, or one
// entry of `ubus call network.interface dump` ({"interface": [{"interface": "wan", ...}]}).
import { canonicalAddress } from '../policy/address.ts';
import { parseDeviceName } from '../policy/parse-policy.ts';
import { isJsonObject, shortText, type JsonObject } from './json-value.ts';

export interface InterfaceStatus {
  /** The logical name (uci section of /etc/config/network): wan, wan6, ... */
  readonly name: string;
  readonly up: boolean;
  /** static, dhcp, dhcpv6, pppoe, ... */
  readonly proto: string | null;
  /** The configured device (for PPPoE: the Ethernet device the session runs over). */
  readonly device: string | null;
  /** The device IP traffic leaves through (pppoe-wan for PPPoE); only while up. */
  readonly l3Device: string | null;
  /** "address/mask" */
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

/** A logical interface name: what uci allows as a section name. */
export const INTERFACE_NAME = /^[A-Za-z0-9_]{1,32}$/;

function deviceName(value: unknown): string | null {
  try {
    return parseDeviceName(value);
  } catch {
    return null; // absent, or something like "@wan" (an alias), never a netdev name
  }
}

function addresses(value: unknown, maxMask: number): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const entry of value) {
    if (!isJsonObject(entry)) continue;
    const address = typeof entry.address === 'string' ? canonicalAddress(entry.address) : null;
    const mask = entry.mask;
    if (address && Number.isInteger(mask) && (mask as number) >= 0 && (mask as number) <= maxMask)
      out.push(`${address}/${mask as number}`);
  }
  return out;
}

function fromObject(status: JsonObject, name: string): InterfaceStatus {
  const proto = shortText(status.proto, 32);
  return {
    name,
    up: status.up === true,
    proto: proto && /^[A-Za-z0-9_.-]+$/.test(proto) ? proto : null,
    device: deviceName(status.device),
    l3Device: deviceName(status.l3_device),
    ipv4: addresses(status['ipv4-address'], 32),
    ipv6: addresses(status['ipv6-address'], 128),
  };
}

/** The reply of `network.interface.<name> status`; anything malformed reads as down. */
export function parseInterfaceStatus(value: unknown, name: string): InterfaceStatus {
  return fromObject(isJsonObject(value) ? value : {}, name);
}

/** The reply of `network.interface dump`: entries without a valid name are skipped. */
export function parseInterfaceDump(value: unknown): InterfaceStatus[] {
  const list = isJsonObject(value) && Array.isArray(value.interface) ? value.interface : [];
  const out: InterfaceStatus[] = [];
  for (const entry of list) {
    if (!isJsonObject(entry)) continue;
    const name = entry.interface;
    if (typeof name === 'string' && INTERFACE_NAME.test(name)) out.push(fromObject(entry, name));
  }
  return out;
}
