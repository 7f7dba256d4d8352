// The fleet list's paging, sorting, filtering and search, and its parsing from strings (the
// HTTP query string, the CLI's options): one definition for both.
import { BACKENDS, type Backend } from '../../contract/message-types.ts';

export const SORT_KEYS = [
  'id',
  'last_seen',
  'first_seen',
  'model',
  'applied_version',
  'blocked',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface FleetQuery {
  readonly offset: number;
  readonly limit: number;
  readonly sort: SortKey;
  readonly order: 'asc' | 'desc';
  /** Substring of id, model, board or release (case-insensitive). */
  readonly q?: string;
  readonly online?: boolean;
  readonly enabled?: boolean;
  readonly applied?: boolean;
  readonly backend?: Backend;
  readonly wanProto?: string;
  readonly model?: string;
  readonly hasError?: boolean;
  /** No status for more than two report intervals. */
  readonly notReporting?: boolean;
  /** Drifted or erroring (the summary's count): rules not applied, or a last error. */
  readonly trouble?: boolean;
  /** Only routers with at least this many blocked packets in the window. */
  readonly blockedMin?: number;
  /** The window of `blocked` (sorting and blockedMin), in hours; 24 by default. */
  readonly blockedHours: number;
}

export const DEFAULT_QUERY: FleetQuery = {
  offset: 0,
  limit: 50,
  sort: 'id',
  order: 'asc',
  blockedHours: 24,
};

export const MAX_LIMIT = 1000;

export class QueryError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

type Params = Readonly<Record<string, string | undefined>>;

function bool(params: Params, name: string): boolean | undefined {
  const text = params[name];
  if (text === undefined || text === '') return undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new QueryError(name, `${name} must be true or false`);
}

function int(params: Params, name: string, min: number, max: number): number | undefined {
  const text = params[name];
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max))
    throw new QueryError(name, `${name} must be an integer ${min}..${max}`);
  return value;
}

function text(params: Params, name: string, pattern: RegExp): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (!pattern.test(value)) throw new QueryError(name, `${name} has an invalid value`);
  return value;
}

/**
 * Parses query-string style parameters: offset, limit, sort (a key, `-key` for descending),
 * q, online, enabled, applied, backend, wan_proto, model, has_error, not_reporting, trouble,
 * blocked_min, blocked_hours. Unknown parameters are refused so a typo never widens a bulk
 * action's filter.
 */
export function parseFleetQuery(params: Params, extraAllowed: readonly string[] = []): FleetQuery {
  const known = new Set([
    'offset',
    'limit',
    'sort',
    'q',
    'online',
    'enabled',
    'applied',
    'backend',
    'wan_proto',
    'model',
    'has_error',
    'not_reporting',
    'trouble',
    'blocked_min',
    'blocked_hours',
    ...extraAllowed,
  ]);
  for (const name of Object.keys(params))
    if (!known.has(name)) throw new QueryError(name, `unknown parameter ${name}`);
  let sort = DEFAULT_QUERY.sort;
  let order = DEFAULT_QUERY.order;
  const sortText = params.sort;
  if (sortText !== undefined && sortText !== '') {
    const key = sortText.startsWith('-') ? sortText.slice(1) : sortText;
    if (!(SORT_KEYS as readonly string[]).includes(key))
      throw new QueryError(
        'sort',
        `sort must be one of ${SORT_KEYS.join(', ')} (- for descending)`,
      );
    sort = key as SortKey;
    order = sortText.startsWith('-') ? 'desc' : 'asc';
  }
  const backend = text(params, 'backend', new RegExp(`^(${BACKENDS.join('|')})$`)) as
    Backend | undefined;
  const q = params.q;
  if (q !== undefined && q.length > 200) throw new QueryError('q', 'q is too long');
  const query: FleetQuery = {
    offset: int(params, 'offset', 0, 1e12) ?? DEFAULT_QUERY.offset,
    limit: int(params, 'limit', 1, MAX_LIMIT) ?? DEFAULT_QUERY.limit,
    sort,
    order,
    blockedHours: int(params, 'blocked_hours', 1, 24 * 90) ?? DEFAULT_QUERY.blockedHours,
    ...(q !== undefined && q !== '' && { q }),
    ...defined('online', bool(params, 'online')),
    ...defined('enabled', bool(params, 'enabled')),
    ...defined('applied', bool(params, 'applied')),
    ...defined('backend', backend),
    ...defined('wanProto', text(params, 'wan_proto', /^[a-z0-9_-]{1,32}$/)),
    ...defined('model', text(params, 'model', /^.{1,128}$/)),
    ...defined('hasError', bool(params, 'has_error')),
    ...defined('notReporting', bool(params, 'not_reporting')),
    ...defined('trouble', bool(params, 'trouble')),
    ...defined('blockedMin', int(params, 'blocked_min', 0, 2 ** 53 - 1)),
  };
  return query;
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The filter part of a query as parameters again (audit detail, CLI, rollouts). */
export function fleetQueryParams(query: FleetQuery): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    if (value !== undefined) out[name] = String(value);
  };
  put('q', query.q);
  put('online', query.online);
  put('enabled', query.enabled);
  put('applied', query.applied);
  put('backend', query.backend);
  put('wan_proto', query.wanProto);
  put('model', query.model);
  put('has_error', query.hasError);
  put('not_reporting', query.notReporting);
  put('trouble', query.trouble);
  put('blocked_min', query.blockedMin);
  if (query.blockedHours !== DEFAULT_QUERY.blockedHours) put('blocked_hours', query.blockedHours);
  return out;
}
