// Reads `nft -j list table inet op25b` back into the ruleset model of ruleset.ts. Rules become
// nft syntax again; any expression this file does not know comes out as `?<json>`, which never
// equals a desired rule, so tampering shows up as drift instead of being ignored.
import { canonicalAddress, formatPrefix, parsePrefix } from '../../policy/address.ts';
import type { SourceCount } from '../backend.ts';
import { COUNTER_BLOCKED, SET_SOURCES_V4, SET_SOURCES_V6 } from './names.ts';
import type { NftChain, NftRuleset, NftSet, NftSetType } from './ruleset.ts';

export interface NftListing {
  readonly ruleset: NftRuleset;
  readonly blocked: { readonly packets: number; readonly bytes: number };
  readonly sources: readonly SourceCount[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BARE_META_KEYS = ['iifname', 'oifname', 'iif', 'oif', 'mark'];

function valueText(value: Json | undefined, quoteStrings: boolean): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (value.startsWith('@')) return value;
    return quoteStrings ? `"${value}"` : value;
  }
  if (isObject(value) && Array.isArray(value.set))
    return `{ ${value.set.map((v) => valueText(v, quoteStrings)).join(', ')} }`;
  return `?${JSON.stringify(value)}`;
}

function operandText(operand: Json | undefined): string {
  if (isObject(operand)) {
    const meta = operand.meta;
    if (isObject(meta) && typeof meta.key === 'string')
      return BARE_META_KEYS.includes(meta.key) ? meta.key : `meta ${meta.key}`;
    const payload = operand.payload;
    if (isObject(payload) && typeof payload.protocol === 'string')
      return `${payload.protocol} ${String(payload.field)}`;
  }
  return `?${JSON.stringify(operand)}`;
}

function statementText(statement: Json): string {
  if (!isObject(statement)) return `?${JSON.stringify(statement)}`;
  const [kind] = Object.keys(statement);
  const body = kind === undefined ? undefined : statement[kind];
  switch (kind) {
    case 'match': {
      if (!isObject(body)) break;
      const left = operandText(body.left);
      const quote = left.endsWith('ifname');
      const op = body.op === '==' ? '' : `${String(body.op)} `;
      return `${left} ${op}${valueText(body.right, quote)}`;
    }
    case 'counter':
      if (typeof body === 'string') return `counter name "${body}"`;
      return 'counter';
    case 'jump':
    case 'goto':
      if (isObject(body)) return `${kind} ${String(body.target)}`;
      break;
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
      return kind;
    case 'reject':
      if (body === null) return 'reject';
      if (isObject(body) && body.type === 'tcp reset') return 'reject with tcp reset';
      break;
    case 'set':
      if (isObject(body) && typeof body.set === 'string')
        return `${String(body.op)} ${body.set} { ${operandText(body.elem)} }`;
      break;
  }
  return `?${JSON.stringify(statement)}`;
}

function elementText(type: string, element: Json): string {
  if (isObject(element) && isObject(element.elem))
    return elementText(type, element.elem.val ?? null);
  if (isObject(element) && isObject(element.prefix)) {
    const { addr, len } = element.prefix;
    try {
      return formatPrefix(parsePrefix(`${String(addr)}/${String(len)}`));
    } catch {
      return `?${JSON.stringify(element)}`;
    }
  }
  if (typeof element === 'string' && (type === 'ipv4_addr' || type === 'ipv6_addr'))
    return canonicalAddress(element) ?? element;
  if (typeof element === 'string' || typeof element === 'number') return String(element);
  return `?${JSON.stringify(element)}`;
}

function sourceCounts(set: JsonObject): SourceCount[] {
  const out: SourceCount[] = [];
  for (const element of Array.isArray(set.elem) ? set.elem : []) {
    if (!isObject(element) || !isObject(element.elem)) continue;
    const { val, counter } = element.elem;
    const address = typeof val === 'string' ? canonicalAddress(val) : null;
    if (address && isObject(counter) && typeof counter.packets === 'number')
      out.push({ address, attempts: counter.packets });
  }
  return out;
}

/** Parses the JSON listing of the agent's table. Throws on text that is not nft JSON. */
export function parseNftListing(text: string): NftListing {
  const document = JSON.parse(text) as Json;
  const items = isObject(document) && Array.isArray(document.nftables) ? document.nftables : null;
  if (!items) throw new Error('not an nft JSON listing');
  const counters: string[] = [];
  const sets: NftSet[] = [];
  const chains = new Map<string, { name: string; base: NftChain['base']; rules: string[] }>();
  const sources: SourceCount[] = [];
  let blocked = { packets: 0, bytes: 0 };
  for (const item of items) {
    if (!isObject(item)) continue;
    if (isObject(item.counter) && typeof item.counter.name === 'string') {
      const c = item.counter;
      counters.push(c.name as string);
      if (c.name === COUNTER_BLOCKED)
        blocked = { packets: Number(c.packets) || 0, bytes: Number(c.bytes) || 0 };
    } else if (isObject(item.set) && typeof item.set.name === 'string') {
      const s = item.set;
      const name = s.name as string;
      const type = String(s.type) as NftSetType;
      const dynamic = name === SET_SOURCES_V4 || name === SET_SOURCES_V6;
      if (dynamic) sources.push(...sourceCounts(s));
      const elements = dynamic
        ? ('dynamic' as const)
        : (Array.isArray(s.elem) ? s.elem : []).map((e) => elementText(type, e));
      sets.push({ name, type, elements });
    } else if (isObject(item.chain) && typeof item.chain.name === 'string') {
      const c = item.chain;
      const base =
        typeof c.hook === 'string'
          ? {
              type: String(c.type),
              hook: c.hook,
              priority: Number(c.prio),
              policy: String(c.policy),
            }
          : null;
      chains.set(c.name as string, {
        name: c.name as string,
        base,
        rules: [],
      });
    } else if (isObject(item.rule) && typeof item.rule.chain === 'string') {
      const expr = Array.isArray(item.rule.expr) ? item.rule.expr : [];
      chains.get(item.rule.chain)?.rules.push(expr.map(statementText).join(' '));
    }
  }
  return { ruleset: { counters, sets, chains: [...chains.values()] }, blocked, sources };
}
