// The fleet CLI's command line, parsed into one typed command. Filters are the fleet list's
// query parameters (portal/core/fleet-query.ts), checked here so a typo fails before any request.
import { parseFleetQuery, QueryError } from '../core/fleet-query.ts';
import { parseRole } from '../auth/roles.ts';
import type { Role } from '../core/operator.ts';
import { usageError } from './exit-codes.ts';

export const ACTION_COMMANDS = ['enable', 'disable', 'reapply', 'verify', 'report'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** `--wan-proto` and friends: the fleet query's parameters, with dashes. */
const FILTER_FLAGS = [
  'q',
  'online',
  'enabled',
  'applied',
  'backend',
  'wan-proto',
  'model',
  'has-error',
  'not-reporting',
  'blocked-min',
  'blocked-hours',
];
const PAGE_FLAGS = ['limit', 'offset', 'sort'];

export type Target = { ids: string[] } | { filter: Record<string, string> } | { all: true };

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'list'; params: Record<string, string>; json: boolean }
  | { kind: 'show'; id: string; json: boolean }
  | { kind: 'action'; action: ActionCommand; target: Target; reason: string; json: boolean }
  | {
      kind: 'rollout-start';
      action: ActionCommand;
      target: Target;
      reason: string;
      waves?: number[];
      maxErrorShare?: number;
      maxMissingShare?: number;
      json: boolean;
    }
  | { kind: 'rollout-list'; json: boolean }
  | { kind: 'rollout-show'; id: string; json: boolean }
  | {
      kind: 'rollout-control';
      verb: 'pause' | 'resume' | 'abort';
      id: string;
      reason: string;
      json: boolean;
    }
  | { kind: 'watch' }
  | { kind: 'export'; params: Record<string, string> }
  | { kind: 'user-add'; name: string; role: Role }
  | { kind: 'token-create'; name: string; label: string };

export const USAGE = `usage: fleet <command> [options]

over the API (env PORTAL_URL, default http://127.0.0.1:8080, and PORTAL_TOKEN):
  list [FILTERS] [--limit N] [--offset N] [--sort [-]KEY]   routers, one a line
  show ID                                 one router's record
  enable|disable|reapply|verify|report TARGET --reason TEXT
                                          act now on TARGET
  rollout start ACTION TARGET --reason TEXT [--waves 1,10,100]
          [--max-error-share 0.05] [--max-missing-share 0.1]
  rollout list | show ID | pause|resume|abort ID --reason TEXT
  watch                                   print change events, one JSON line each
  export [FILTERS] [--sort [-]KEY]        the fleet list as CSV on stdout

on the database directly (same env as npm run portal: DATABASE_URL or PORTAL_DATA):
  user add NAME --role admin|operator|viewer   password read from stdin
  token create NAME [--label TEXT]             prints one API token for account NAME

TARGET: router ids, or --all, or FILTERS (acts on every matching router)
FILTERS: --q TEXT --online B --enabled B --applied B --backend nftables|iptables|simulated
         --wan-proto P --model M --has-error B --not-reporting B
         --blocked-min N --blocked-hours H                  (B is true or false)
options: --json (machine-readable output), -h/--help
exit codes: 0 ok, 1 failure, 2 bad input, 3 some routers failed, 4 not allowed
`;

interface Parsed {
  positional: string[];
  flags: Map<string, string>;
  switches: Set<string>;
}

const SWITCHES = new Set(['all', 'json', 'help']);

function split(argv: readonly string[]): Parsed {
  const out: Parsed = { positional: [], flags: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') out.switches.add('help');
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (SWITCHES.has(name)) {
        if (eq >= 0) throw usageError(`--${name} takes no value`);
        out.switches.add(name);
        continue;
      }
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw usageError(`--${name} needs a value`);
      if (out.flags.has(name)) throw usageError(`--${name} given twice`);
      out.flags.set(name, value);
    } else out.positional.push(arg);
  }
  return out;
}

function allowOnly(p: Parsed, flags: readonly string[], switches: readonly string[]): void {
  for (const name of p.flags.keys())
    if (!flags.includes(name)) throw usageError(`unknown option --${name}`);
  for (const name of p.switches)
    if (!switches.includes(name)) throw usageError(`unknown option --${name}`);
}

function queryParams(p: Parsed, names: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of names) {
    const value = p.flags.get(name);
    if (value !== undefined) params[name.replace(/-/g, '_')] = value;
  }
  try {
    parseFleetQuery(params);
  } catch (e) {
    if (e instanceof QueryError) throw usageError(`--${e.param.replace(/_/g, '-')}: ${e.message}`);
    throw e;
  }
  return params;
}

const ROUTER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function target(p: Parsed, ids: string[]): Target {
  const filter = queryParams(p, FILTER_FLAGS);
  const kinds = [ids.length > 0, p.switches.has('all'), Object.keys(filter).length > 0].filter(
    Boolean,
  ).length;
  if (kinds === 0) throw usageError('say which routers: ids, --all, or filters such as --model M');
  if (kinds > 1) throw usageError('give router ids, --all or filters, not several');
  for (const id of ids)
    if (!ROUTER_ID.test(id)) throw usageError(`${JSON.stringify(id)} is not a router id`);
  if (ids.length > 0) return { ids };
  return p.switches.has('all') ? { all: true } : { filter };
}

function reason(p: Parsed): string {
  const value = p.flags.get('reason');
  if (value === undefined || value.trim() === '')
    throw usageError('--reason TEXT is required (it goes to the audit log)');
  return value;
}

function share(p: Parsed, name: string): number | undefined {
  const text = p.flags.get(name);
  if (text === undefined) return undefined;
  const n = /^(0(\.\d+)?|1(\.0*)?)$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(n)) throw usageError(`--${name} must be a share from 0 to 1`);
  return n;
}

function oneArg(rest: string[], what: string): string {
  if (rest.length !== 1) throw usageError(`give exactly one ${what}`);
  return rest[0]!;
}

function actionName(value: string | undefined): ActionCommand {
  if (!value || !(ACTION_COMMANDS as readonly string[]).includes(value))
    throw usageError(`action must be one of ${ACTION_COMMANDS.join(', ')}`);
  return value as ActionCommand;
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  const p = split(argv);
  if (p.switches.has('help') || p.positional.length === 0) {
    if (p.positional.length === 0 && !p.switches.has('help'))
      throw usageError('missing command (try --help)');
    return { kind: 'help' };
  }
  const [command, ...rest] = p.positional as [string, ...string[]];
  const json = p.switches.has('json');
  switch (command) {
    case 'list':
      allowOnly(p, [...FILTER_FLAGS, ...PAGE_FLAGS], ['json']);
      if (rest.length) throw usageError(`unexpected argument ${JSON.stringify(rest[0])}`);
      return { kind: 'list', params: queryParams(p, [...FILTER_FLAGS, ...PAGE_FLAGS]), json };
    case 'show':
      allowOnly(p, [], ['json']);
      return { kind: 'show', id: oneArg(rest, 'router id'), json };
    case 'export':
      allowOnly(p, [...FILTER_FLAGS, 'sort'], []);
      if (rest.length) throw usageError(`unexpected argument ${JSON.stringify(rest[0])}`);
      return { kind: 'export', params: queryParams(p, [...FILTER_FLAGS, 'sort']) };
    case 'watch':
      allowOnly(p, [], []);
      if (rest.length) throw usageError(`unexpected argument ${JSON.stringify(rest[0])}`);
      return { kind: 'watch' };
    case 'rollout':
      return parseRollout(p, rest, json);
    case 'user': {
      allowOnly(p, ['role'], []);
      if (rest[0] !== 'add' || rest.length !== 2)
        throw usageError('usage: fleet user add NAME --role admin|operator|viewer');
      const role = parseRole(p.flags.get('role'));
      if (!role) throw usageError('--role must be admin, operator or viewer');
      return { kind: 'user-add', name: rest[1]!, role };
    }
    case 'token':
      allowOnly(p, ['label'], []);
      if (rest[0] !== 'create' || rest.length !== 2)
        throw usageError('usage: fleet token create NAME [--label TEXT]');
      return { kind: 'token-create', name: rest[1]!, label: p.flags.get('label') ?? 'cli' };
    default:
      if ((ACTION_COMMANDS as readonly string[]).includes(command)) {
        allowOnly(p, [...FILTER_FLAGS, 'reason'], ['all', 'json']);
        return {
          kind: 'action',
          action: command as ActionCommand,
          target: target(p, rest),
          reason: reason(p),
          json,
        };
      }
      throw usageError(`unknown command ${JSON.stringify(command)} (try --help)`);
  }
}

function parseRollout(p: Parsed, rest: string[], json: boolean): CliCommand {
  const [verb, ...args] = rest;
  switch (verb) {
    case 'start': {
      allowOnly(
        p,
        [...FILTER_FLAGS, 'reason', 'waves', 'max-error-share', 'max-missing-share'],
        ['all', 'json'],
      );
      const [action, ...ids] = args;
      let waves: number[] | undefined;
      const wavesText = p.flags.get('waves');
      if (wavesText !== undefined) {
        waves = wavesText.split(',').map(Number);
        if (waves.some((w) => !(w > 0 && w <= 100)) || waves.at(-1) !== 100)
          throw usageError('--waves must be ascending percentages ending in 100, e.g. 1,10,100');
      }
      const maxErrorShare = share(p, 'max-error-share');
      const maxMissingShare = share(p, 'max-missing-share');
      return {
        kind: 'rollout-start',
        action: actionName(action),
        target: target(p, ids),
        reason: reason(p),
        ...(waves && { waves }),
        ...(maxErrorShare !== undefined && { maxErrorShare }),
        ...(maxMissingShare !== undefined && { maxMissingShare }),
        json,
      };
    }
    case 'list':
      allowOnly(p, [], ['json']);
      if (args.length) throw usageError(`unexpected argument ${JSON.stringify(args[0])}`);
      return { kind: 'rollout-list', json };
    case 'show':
      allowOnly(p, [], ['json']);
      return { kind: 'rollout-show', id: oneArg(args, 'rollout id'), json };
    case 'pause':
    case 'resume':
    case 'abort':
      allowOnly(p, ['reason'], ['json']);
      return {
        kind: 'rollout-control',
        verb,
        id: oneArg(args, 'rollout id'),
        reason: reason(p),
        json,
      };
    default:
      throw usageError('usage: fleet rollout start|list|show|pause|resume|abort ...');
  }
}
