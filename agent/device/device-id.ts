// The router's device id, the topic level under which it talks to the ISP:
// `agent.device_id` when set; otherwise the MAC address of `agent.device_id_device` (default
// eth0) as 12 lower-case hex digits, e.g. 00163e5a1b2c.
import { InputError } from '../input-error.ts';

/** The id from a MAC address as /sys/class/net/<dev>/address prints it, or null. */
export function deviceIdFromMac(text: string | null): string | null {
  const mac = text?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || mac === '00:00:00:00:00:00') return null;
  return mac.replace(/:/g, '');
}

export function resolveDeviceId(
  configured: string | null,
  device: string,
  readText: (path: string) => string | null,
): string {
  if (configured) return configured;
  const id = deviceIdFromMac(readText(`/sys/class/net/${device}/address`));
  if (!id)
    throw new InputError(
      'no_device_id',
      `cannot derive a device id from ${device}'s MAC address: set agent.device_id or agent.device_id_device`,
    );
  return id;
}
