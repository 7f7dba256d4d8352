// Validates MQTT documents against the JSON Schemas in schemas/ (draft 2020-12, Ajv), on Node: the
// portal's ingest, the tools and the tests. Not in the router bundle: the agent validates by
// hand (agent/remote/*).
import { readFileSync } from 'node:fs';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** The documents of docs/mqtt-contract.md, one schema file each. */
export const MESSAGE_KINDS = ['state', 'status', 'desired', 'command', 'reply'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
/** The claims of a signed desired state or command: the JSON form plus sub and exp. */
export type SignedKind = 'desired' | 'command';

export interface Validation {
  readonly valid: boolean;
  /** One line per problem, `<JSON pointer> <message>`; empty when valid. */
  readonly errors: string[];
}

// What Date.prototype.toISOString() and RFC 3339 write; the schemas' only format.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function schemaPath(kind: MessageKind): string {
  return new URL(`../schemas/${kind}.schema.json`, import.meta.url).pathname;
}

export function loadSchema(kind: MessageKind): { $id: string } & Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(kind), 'utf8')) as { $id: string };
}

let compiled: Map<string, ValidateFunction> | null = null;

function validators(): Map<string, ValidateFunction> {
  if (compiled) return compiled;
  // Strict, but not strictTypes/strictRequired: they refuse plain if/then clauses such as
  // {"if": {"properties": ...}} and {"not": {"required": [...]}}.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
  });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (text: string) => DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)),
  });
  const map = new Map<string, ValidateFunction>();
  for (const kind of MESSAGE_KINDS) {
    const schema = loadSchema(kind);
    ajv.addSchema(schema);
    map.set(kind, ajv.getSchema(schema.$id)!);
  }
  for (const kind of ['desired', 'command'] as const)
    map.set(`${kind}#signed`, ajv.getSchema(`${loadSchema(kind).$id}#/$defs/signedClaims`)!);
  compiled = map;
  return map;
}

function outcome(validate: ValidateFunction, document: unknown): Validation {
  if (validate(document)) return { valid: true, errors: [] };
  const errors = (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`,
  );
  return { valid: false, errors };
}

/** Checks one document (already parsed from JSON) against the schema of its kind. */
export function validateMessage(kind: MessageKind, document: unknown): Validation {
  return outcome(validators().get(kind)!, document);
}

/** Throws with every problem listed when the document does not fit its schema. */
export function assertValidMessage(kind: MessageKind, document: unknown): void {
  const { valid, errors } = validateMessage(kind, document);
  if (!valid)
    throw new Error(
      `invalid ${kind} document ${JSON.stringify(document)}:\n  ${errors.join('\n  ')}`,
    );
}

/** The JSON payload of a compact JWS, decoded without verifying anything. */
export function jwsClaims(token: string): unknown {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
}

/**
 * Checks a signed message: a compact JWS with alg EdDSA whose claims fit the kind's schema and
 * carry sub and exp. The signature itself is the agent's business (agent/remote/jws.ts).
 */
export function validateSignedMessage(kind: SignedKind, token: string): Validation {
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(token.trim().split('.')[0]!, 'base64url').toString('utf8'));
    claims = jwsClaims(token);
  } catch (error) {
    return { valid: false, errors: [`/ not a compact JWS with JSON parts: ${String(error)}`] };
  }
  const alg = (header as { alg?: unknown } | null)?.alg;
  if (alg !== 'EdDSA')
    return { valid: false, errors: [`/ header alg is ${String(alg)}, not EdDSA`] };
  return outcome(validators().get(`${kind}#signed`)!, claims);
}
