// The body of POST /actions and POST /rollouts, parsed into the core's request types:
// {"action", "reason", "target": {"id"} | {"ids": [...]} | {"filter": {...}} | {"all": true},
//  "policy": {"action", "allow", "ports"}, and for rollouts "waves", "max_error_share", ...}.
import {
  ACTION_KINDS,
  type ActionKind,
  type ActionRequest,
  type ActionTarget,
  type PolicyChange,
} from '../core/action.ts';
import { parseFleetQuery, QueryError } from '../core/fleet-query.ts';
import type { RolloutRequest } from '../core/rollout.ts';
import { badRequest } from './http-error.ts';
import { type JsonObject, numberField, objectField, onlyFields, reasonField } from './json-body.ts';

/** Device ids as the contract writes them (topic-safe). */
export const ROUTER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_IDS = 100_000;

function routerId(value: unknown, where: string): string {
  if (typeof value !== 'string' || !ROUTER_ID.test(value))
    throw badRequest(`${where} must be a router id (1..64 of A-Z a-z 0-9 _ . : -)`);
  return value;
}

function parseTarget(body: JsonObject): ActionTarget {
  const target = objectField(body, 'target');
  if (target === undefined)
    throw badRequest('target is required: {"id"}, {"ids"}, {"filter"} or {"all": true}');
  const keys = Object.keys(target);
  if (keys.length !== 1) throw badRequest('target must have exactly one of id, ids, filter, all');
  if ('id' in target) return { kind: 'one', id: routerId(target.id, 'target.id') };
  if ('ids' in target) {
    const ids = target.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS)
      throw badRequest(`target.ids must be a list of 1..${MAX_IDS} router ids`);
    return {
      kind: 'list',
      ids: [...new Set(ids.map((id, i) => routerId(id, `target.ids[${i}]`)))],
    };
  }
  if ('filter' in target) {
    const filter = objectField(target, 'filter')!;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(filter)) {
      if (!['string', 'number', 'boolean'].includes(typeof value))
        throw badRequest(`target.filter.${name} must be a string, number or boolean`);
      params[name] = String(value);
    }
    for (const paging of ['offset', 'limit', 'sort'])
      if (paging in params) throw badRequest(`target.filter cannot hold ${paging}`);
    try {
      return { kind: 'filter', query: parseFleetQuery(params) };
    } catch (e) {
      if (e instanceof QueryError) throw badRequest(`target.filter: ${e.message}`);
      throw e;
    }
  }
  if ('all' in target) {
    if (target.all !== true) throw badRequest('target.all must be true');
    return { kind: 'all' };
  }
  throw badRequest(`target: unknown field ${JSON.stringify(keys[0])}`);
}

function parsePolicy(body: JsonObject): PolicyChange | undefined {
  const policy = objectField(body, 'policy');
  if (policy === undefined) return undefined;
  onlyFields(policy, ['action', 'allow', 'ports'], 'policy');
  const out: { action?: 'drop' | 'reject'; allow?: string[]; ports?: number[] } = {};
  if (policy.action !== undefined) {
    if (policy.action !== 'drop' && policy.action !== 'reject')
      throw badRequest('policy.action must be drop or reject');
    out.action = policy.action;
  }
  if (policy.allow !== undefined) {
    if (!Array.isArray(policy.allow) || policy.allow.length > 256)
      throw badRequest('policy.allow must be a list of at most 256 addresses');
    out.allow = policy.allow.map((a, i) => {
      // Shape only; the control layer validates addresses with the agent's own parser.
      if (typeof a !== 'string' || !/^[0-9A-Fa-f.:/]{2,49}$/.test(a))
        throw badRequest(`policy.allow[${i}] must be an IPv4/IPv6 address or prefix`);
      return a;
    });
  }
  if (policy.ports !== undefined) {
    if (!Array.isArray(policy.ports) || policy.ports.length === 0 || policy.ports.length > 16)
      throw badRequest('policy.ports must be a list of 1..16 ports');
    out.ports = policy.ports.map((p, i) => {
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535)
        throw badRequest(`policy.ports[${i}] must be a port 1..65535`);
      return p;
    });
  }
  if (Object.keys(out).length === 0) throw badRequest('policy must change at least one field');
  return out;
}

const ACTION_FIELDS = ['action', 'reason', 'target', 'policy'];

export function parseActionBody(
  body: JsonObject,
  extraFields: readonly string[] = [],
): ActionRequest {
  onlyFields(body, [...ACTION_FIELDS, ...extraFields]);
  const action = body.action;
  if (typeof action !== 'string' || !(ACTION_KINDS as readonly string[]).includes(action))
    throw badRequest(`action must be one of ${ACTION_KINDS.join(', ')}`);
  const reason = reasonField(body);
  const target = parseTarget(body);
  const policy = parsePolicy(body);
  if (action === 'policy' && policy === undefined) throw badRequest('a policy action needs policy');
  if (policy !== undefined && action !== 'policy' && action !== 'enable')
    throw badRequest(`policy goes with the policy or enable action, not ${action}`);
  return { action: action as ActionKind, reason, target, ...(policy && { policy }) };
}

export function parseRolloutBody(body: JsonObject): RolloutRequest {
  const base = parseActionBody(body, [
    'waves',
    'max_error_share',
    'max_missing_share',
    'wave_timeout_ms',
  ]);
  let waves: number[] | undefined;
  if (body.waves !== undefined) {
    const w = body.waves;
    if (!Array.isArray(w) || w.length === 0 || w.length > 20)
      throw badRequest('waves must be a list of 1..20 cumulative percentages');
    waves = w.map((p, i) => {
      if (typeof p !== 'number' || !(p > 0 && p <= 100))
        throw badRequest(`waves[${i}] must be a percentage in (0, 100]`);
      if (i > 0 && p <= (w[i - 1] as number)) throw badRequest('waves must be ascending');
      return p;
    });
    if (waves[waves.length - 1] !== 100) throw badRequest('the last wave must be 100');
  }
  const maxErrorShare = numberField(body, 'max_error_share', 0, 1, false);
  const maxMissingShare = numberField(body, 'max_missing_share', 0, 1, false);
  const waveTimeoutMs = numberField(body, 'wave_timeout_ms', 100, 86_400_000);
  return {
    ...base,
    ...(waves && { waves }),
    ...(maxErrorShare !== undefined && { maxErrorShare }),
    ...(maxMissingShare !== undefined && { maxMissingShare }),
    ...(waveTimeoutMs !== undefined && { waveTimeoutMs }),
  };
}
