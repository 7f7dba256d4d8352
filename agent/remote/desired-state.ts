// The ISP's desired state for one router: validated here, before anything is stored or applied.
import { formatPrefix, minimalPrefixes } from '../policy/address.ts';
import { parseAction, parsePort, parseRelay } from '../policy/parse-policy.ts';
import type { Action } from '../policy/policy.ts';
import { InputError } from '../input-error.ts';
import { rejectUnknownFields } from './known-fields.ts';

export interface DesiredState {
  /** Monotonic: a state is applied only when its version is newer than the last applied one. */
  readonly version: number;
  readonly enabled: boolean;
  readonly action?: Action;
  /** Canonical prefixes of the ISP's relays, replacing the config's allow-list when present. */
  readonly allow?: readonly string[];
  readonly ports?: readonly number[];
}

const FIELDS = ['version', 'enabled', 'action', 'allow', 'ports'];
/** The most entries `allow` and `ports` may have (docs/mqtt-contract.md, desired.schema.json). */
export const MAX_ENTRIES = 256;

function list<T>(value: unknown, field: string, parse: (v: unknown) => T): T[] {
  if (!Array.isArray(value)) throw new InputError('invalid_list', `${field} must be a list`);
  if (value.length > MAX_ENTRIES)
    throw new InputError('list_too_long', `${field} has more than ${MAX_ENTRIES} entries`);
  return value.map(parse);
}

/** A port of a message is a JSON integer: `"25"` (as UCI spells it) is refused here. */
function remotePort(value: unknown): number {
  if (typeof value !== 'number')
    throw new InputError(
      'invalid_port',
      `invalid port ${JSON.stringify(value)}: expected 1..65535`,
    );
  return parsePort(value);
}

function portList(value: unknown): number[] {
  const ports = [...new Set(list(value, 'ports', remotePort))].sort((a, b) => a - b);
  if (ports.length === 0)
    throw new InputError('invalid_list', 'ports must not be empty (leave it out for the default)');
  return ports;
}

/** The version alone: cheap, so that a stale state is refused before its lists are read. */
export function parseVersion(version: unknown): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    throw new InputError(
      'invalid_version',
      `version must be a non-negative integer, got ${JSON.stringify(version)}`,
    );
  return version;
}

/** Validates the fields of a desired state (from a message, or from the copy on flash). */
export function desiredFromObject(body: Readonly<Record<string, unknown>>): DesiredState {
  rejectUnknownFields(body, FIELDS);
  const { enabled, action, allow, ports } = body;
  const version = parseVersion(body.version);
  if (typeof enabled !== 'boolean')
    throw new InputError(
      'invalid_enabled',
      `enabled must be true or false, got ${JSON.stringify(enabled)}`,
    );
  return {
    version,
    enabled,
    ...(action === undefined ? {} : { action: parseAction(action) }),
    // Canonical (sorted, deduplicated) so that the same state in another order is the same.
    ...(allow === undefined
      ? {}
      : { allow: minimalPrefixes(list(allow, 'allow', parseRelay)).map(formatPrefix) }),
    ...(ports === undefined ? {} : { ports: portList(ports) }),
  };
}
