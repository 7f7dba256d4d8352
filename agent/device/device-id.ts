// The router's device id, the topic level under which it talks to the ISP: `agent.device_id`
// when set; else the MAC address of `agent.device_id_device` when set; else the label MAC (the
// one printed on the router's label, as OpenWrt's get_mac_label in /lib/functions/system.sh
// finds it: the device tree's `label-mac-device` alias, its `mac-address` then
// `local-mac-address`; then /etc/board.json `system.label_macaddr`); else eth0's MAC address.
// Always 12 lower-case hex digits, e.g. 00163e5a1b2c.
import { isJsonObject } from '../openwrt/json-value.ts';

export interface IdFiles {
  readText(path: string): string | null;
  readBytes(path: string, length: number): Uint8Array | null;
}

const DEVICE_TREE = '/proc/device-tree';
export const BOARD_JSON = '/etc/board.json';

/** The id from a MAC address as /sys/class/net/<dev>/address prints it, or null. */
export function deviceIdFromMac(text: string | null): string | null {
  const mac = text?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || mac === '00:00:00:00:00:00') return null;
  return mac.replace(/:/g, '');
}

/** The id from 6 raw bytes (a device tree `mac-address`), or null. */
export function deviceIdFromBytes(bytes: Uint8Array | null): string | null {
  if (!bytes || bytes.length !== 6) return null;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return hex === '000000000000' ? null : hex;
}

/** get_mac_label_dt: the node the alias names, its mac-address, else its local-mac-address. */
function labelMacFromDeviceTree(files: IdFiles): string | null {
  // The alias is a node path, NUL-terminated: /soc/ethernet@1e100000/mac@0
  const node = (files.readText(`${DEVICE_TREE}/aliases/label-mac-device`) ?? '')
    .replace(/\0/g, '')
    .trim();
  if (!/^\/[\x21-\x7e]*$/.test(node) || node.split('/').includes('..')) return null;
  for (const property of ['mac-address', 'local-mac-address']) {
    const id = deviceIdFromBytes(files.readBytes(`${DEVICE_TREE}${node}/${property}`, 6));
    if (id) return id;
  }
  return null;
}

/** get_mac_label_json: board.json's system.label_macaddr. */
function labelMacFromBoardJson(files: IdFiles): string | null {
  let board: unknown;
  try {
    board = JSON.parse(files.readText(BOARD_JSON) ?? 'null');
  } catch {
    return null;
  }
  const system = isJsonObject(board) ? board.system : undefined;
  const mac = isJsonObject(system) ? system.label_macaddr : undefined;
  return typeof mac === 'string' ? deviceIdFromMac(mac) : null;
}

const macOf = (files: IdFiles, device: string): string | null =>
  deviceIdFromMac(files.readText(`/sys/class/net/${device}/address`));

/** The device id, or null when none can be derived (see noDeviceIdReason). */
export function resolveDeviceId(
  configured: string | null,
  device: string | null,
  files: IdFiles,
): string | null {
  if (configured) return configured;
  if (device) return macOf(files, device);
  return labelMacFromDeviceTree(files) ?? labelMacFromBoardJson(files) ?? macOf(files, 'eth0');
}

export function noDeviceIdReason(device: string | null): string {
  const from = device
    ? `${device}'s MAC address`
    : 'the label MAC (device tree, /etc/board.json) or eth0';
  return `cannot derive a device id from ${from}: set agent.device_id or agent.device_id_device`;
}
