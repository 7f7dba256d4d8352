// Strict validation of policy fields, whatever their source (UCI config now, MQTT later).
// Each error names the value; the first error aborts, so nothing half-valid is ever applied.
import { InputError, quoteValue } from '../input-error.ts';
import { minimalPrefixes, parsePrefix, type Family, type Prefix } from './address.ts';
import { ALL_FAMILIES, DEFAULT_PORTS, type Action, type Policy } from './policy.ts';

/** Policy fields as text or JSON scalars, before validation. Missing fields take defaults. */
export interface RawPolicy {
  readonly enabled?: unknown;
  readonly action?: unknown;
  readonly ports?: readonly unknown[];
  readonly allow?: readonly unknown[];
  readonly wanDevices?: readonly unknown[];
  readonly families?: readonly unknown[];
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on', 'enabled'];
const FALSE_WORDS = ['0', 'false', 'no', 'off', 'disabled'];
const MAX_LIST = 1024;

/** UCI's boolean spellings, or a JSON boolean. */
export function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (TRUE_WORDS.includes(value)) return true;
    if (FALSE_WORDS.includes(value)) return false;
  }
  throw new InputError('invalid_boolean', `invalid ${field} ${quoteValue(value)}: expected 1 or 0`);
}

export function parseAction(value: unknown): Action {
  if (value === 'drop' || value === 'reject') return value;
  throw new InputError(
    'invalid_action',
    `invalid action ${quoteValue(value)}: expected drop or reject`,
  );
}

export function parsePort(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text === 'string' && /^[1-9][0-9]{0,4}$/.test(text) && Number(text) <= 65535)
    return Number(text);
  throw new InputError('invalid_port', `invalid port ${quoteValue(value)}: expected 1..65535`);
}

// Linux allows up to 15 bytes and no '/', ':' or spaces; we also refuse anything a shell or a
// firewall language could read as syntax (quotes, ';', '*', '+').
export const DEVICE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

export function parseDeviceName(value: unknown): string {
  if (typeof value === 'string' && DEVICE_NAME.test(value)) return value;
  throw new InputError(
    'invalid_device',
    `invalid device name ${quoteValue(value)}: expected 1..15 of A-Z a-z 0-9 _ . -`,
  );
}

export function parseFamily(value: unknown): Family {
  if (value === 'ipv4' || value === 'ipv6') return value;
  throw new InputError(
    'invalid_family',
    `invalid family ${quoteValue(value)}: expected ipv4 or ipv6`,
  );
}

function parseList<T>(values: readonly unknown[], field: string, parse: (v: unknown) => T): T[] {
  if (!Array.isArray(values))
    throw new InputError('invalid_list', `invalid ${field}: expected a list`);
  if (values.length > MAX_LIST)
    throw new InputError(
      'list_too_long',
      `too many ${field} entries (${values.length} > ${MAX_LIST})`,
    );
  return values.map(parse);
}

/** A relay: any address or prefix but one that would let every destination through. */
export function parseRelay(value: unknown): Prefix {
  const prefix = parsePrefix(value);
  if (prefix.length === 0)
    throw new InputError(
      'invalid_address',
      `invalid address ${quoteValue(value)}: a /0 allow entry would turn the block off`,
    );
  return prefix;
}

function sortedUnique<T>(values: readonly T[], compare: (a: T, b: T) => number): T[] {
  return [...values].sort(compare).filter((v, i, all) => i === 0 || compare(all[i - 1]!, v) !== 0);
}

export function parsePolicy(raw: RawPolicy): Policy {
  // Defaults stand in only for a missing or empty list; anything else must parse as a list.
  const isUnset = (v: readonly unknown[] | undefined): boolean =>
    v === undefined || (Array.isArray(v) && v.length === 0);
  const families = isUnset(raw.families)
    ? ALL_FAMILIES
    : parseList(raw.families!, 'family', parseFamily);
  const ports = isUnset(raw.ports) ? DEFAULT_PORTS : parseList(raw.ports!, 'port', parsePort);
  return {
    enabled: raw.enabled === undefined ? true : parseBoolean(raw.enabled, 'enabled'),
    action: raw.action === undefined ? 'drop' : parseAction(raw.action),
    ports: sortedUnique(ports, (a, b) => a - b),
    allow: minimalPrefixes(parseList(raw.allow ?? [], 'allow', parseRelay)),
    wanDevices: sortedUnique(
      parseList(raw.wanDevices ?? [], 'wan_device', parseDeviceName),
      (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    ),
    families: ALL_FAMILIES.filter((f) => families.includes(f)),
  };
}
