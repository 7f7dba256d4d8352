// Request bodies: JSON only (a form post, which any site can make, is refused by its content
// type), bounded in size, then read field by field into typed values.
import type { Context } from 'hono';
import { badRequest, HttpError } from './http-error.ts';

const MAX_BODY_BYTES = 1_000_000;

export type JsonObject = Readonly<Record<string, unknown>>;

export async function readJsonObject(c: Context): Promise<JsonObject> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw new HttpError(413, 'too_large', 'the body is too large');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('the body must be a JSON object');
  return value as JsonObject;
}

/** Refuses fields the endpoint does not know, so a typo is not silently ignored. */
export function onlyFields(body: JsonObject, allowed: readonly string[], where = 'body'): void {
  for (const key of Object.keys(body))
    if (!allowed.includes(key)) throw badRequest(`${where}: unknown field ${JSON.stringify(key)}`);
}

export function stringField(
  body: JsonObject,
  name: string,
  opts: { max?: number; pattern?: RegExp; optional?: boolean } = {},
): string | undefined {
  const value = body[name];
  if (value === undefined && opts.optional) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw badRequest(`${name} must be a non-empty string`);
  if (value.length > (opts.max ?? 200))
    throw badRequest(`${name} is longer than ${opts.max ?? 200}`);
  if (/[\0-\x08\x0b-\x1f\x7f]/.test(value)) throw badRequest(`${name} holds control characters`);
  if (opts.pattern && !opts.pattern.test(value)) throw badRequest(`${name} has an invalid value`);
  return value;
}

export function requiredString(
  body: JsonObject,
  name: string,
  opts: { max?: number; pattern?: RegExp } = {},
): string {
  return stringField(body, name, opts)!;
}

/** The operator's reason for a change: required, it goes to the audit log. */
export function reasonField(body: JsonObject): string {
  if (body.reason === undefined || body.reason === '')
    throw badRequest('reason is required: say why (it goes to the audit log)', 'reason_required');
  return requiredString(body, 'reason', { max: 500 }).trim();
}

export function numberField(
  body: JsonObject,
  name: string,
  min: number,
  max: number,
  integer = true,
): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !(value >= min && value <= max) ||
    (integer && !Number.isInteger(value))
  )
    throw badRequest(
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    );
  return value;
}

export function booleanField(body: JsonObject, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${name} must be true or false`);
  return value;
}

export function objectField(body: JsonObject, name: string): JsonObject | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${name} must be an object`);
  return value as JsonObject;
}
