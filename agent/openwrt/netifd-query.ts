// Asks netifd (over ubus) for the state of the logical interfaces, all in one
// `network.interface dump` (netifd has had it since 2012).
import { parseInterfaceDump, type InterfaceStatus } from './interface-status.ts';
import type { Ubus } from './ubus.ts';
import { INTERFACE_DUMP } from './ubus-command.ts';

/** The status of those of `names` that netifd knows. Throws UbusError. */
export async function queryInterfaces(
  ubus: Ubus,
  names: readonly string[],
): Promise<InterfaceStatus[]> {
  if (names.length === 0) return [];
  const all = parseInterfaceDump(await ubus.call(INTERFACE_DUMP.object, INTERFACE_DUMP.method));
  return all.filter((s) => names.includes(s.name));
}
