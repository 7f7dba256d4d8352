// Events as `ubus listen` prints them, one a line: `{ "<type>": <compact JSON object> }`, e.g.
// { "network.interface": {"action":"ifup","interface":"wan"} }
import { isJsonObject, shortText, type JsonObject } from './json-value.ts';

export interface UbusEvent {
  readonly type: string;
  readonly data: JsonObject;
}

/** The event on one line of `ubus listen` output, or null when the line is not one. */
export function parseEventLine(line: string): UbusEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isJsonObject(value)) return null;
  const keys = Object.keys(value);
  const data = value[keys[0]!];
  return keys.length === 1 && isJsonObject(data) ? { type: keys[0]!, data } : null;
}

/** netifd's interface events: ifup, ifdown, ifupdate, ifup-failed, ... */
export interface InterfaceEvent {
  readonly action: string;
  readonly interface: string;
}

export function interfaceEvent(event: UbusEvent): InterfaceEvent | null {
  if (event.type !== 'network.interface') return null;
  const action = shortText(event.data.action, 32);
  const name = shortText(event.data.interface, 64);
  return action && name ? { action, interface: name } : null;
}
