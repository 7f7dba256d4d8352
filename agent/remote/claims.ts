// Turns an MQTT payload into a claims object, the same way for desired states and commands:
// size limit, JSON or (when a key is configured) a verified JWS, device id and expiry checks.
import { decodeBase64Url } from '../encoding/base64.ts';
import { parseStrictJson } from '../encoding/strict-json.ts';
import { decodeUtf8 } from '../encoding/utf8.ts';
import { InputError } from '../input-error.ts';
import { looksLikeJws, verifyJws } from './jws.ts';

export { ENVELOPE_CLAIMS, rejectUnknownFields } from './known-fields.ts';

/** Larger payloads are refused before any parsing. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** Clocks of routers and the ISP's signer drift apart: time claims get this much slack. */
export const CLOCK_LEEWAY_S = 60;

export interface ClaimsContext {
  readonly deviceId: string;
  /** Ed25519 public key; null when messages are unsigned JSON. */
  readonly verifyKey: Uint8Array | null;
  /** Seconds since the epoch. */
  readonly now: number;
}

export interface Claims {
  readonly body: Readonly<Record<string, unknown>>;
  readonly signed: boolean;
  /** The token's `exp`, seconds since the epoch. */
  readonly expiresAt: number | null;
}

export function readClaims(payload: string, byteLength: number, context: ClaimsContext): Claims {
  if (byteLength > MAX_PAYLOAD_BYTES)
    throw new InputError(
      'payload_too_large',
      `payload of ${byteLength} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES}`,
    );
  let raw: unknown;
  const signed = context.verifyKey !== null;
  if (context.verifyKey) {
    if (!looksLikeJws(payload))
      throw new InputError('unsigned', 'a verification key is configured: expected a signed JWS');
    raw = verifyJws(payload, context.verifyKey);
  } else {
    if (looksLikeJws(payload))
      throw new InputError(
        'no_verify_key',
        'signed message received but no verify_key_file is configured',
      );
    try {
      raw = parseStrictJson(payload);
    } catch (error) {
      throw new InputError(
        'malformed_json',
        `payload is not valid JSON: ${error instanceof Error ? error.message : ''}`,
      );
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError('malformed_json', 'payload must be a JSON object');
  const body = raw as Record<string, unknown>;
  const { sub, exp, nbf } = body;
  if (signed || sub !== undefined) {
    if (sub !== context.deviceId)
      throw new InputError(
        'wrong_device',
        `message is for device ${JSON.stringify(sub)}, not ${JSON.stringify(context.deviceId)}`,
      );
  }
  if (signed || exp !== undefined) {
    if (typeof exp !== 'number' || !Number.isFinite(exp))
      throw new InputError('missing_expiry', 'message needs a numeric exp claim');
    if (exp + CLOCK_LEEWAY_S <= context.now)
      throw new InputError('expired', `message expired at ${new Date(exp * 1000).toISOString()}`);
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > context.now + CLOCK_LEEWAY_S))
    throw new InputError('not_yet_valid', 'message is not valid yet (nbf)');
  return { body, signed, expiresAt: typeof exp === 'number' ? exp : null };
}

/**
 * The fields of a payload that was refused, read without any check, for the reply only (so the
 * ISP can tell which request failed): plain JSON, or a JWS's decoded payload. Never trusted.
 */
export function unverifiedBody(payload: string): Record<string, unknown> | null {
  if (payload.length > MAX_PAYLOAD_BYTES) return null;
  let text = payload;
  if (looksLikeJws(payload)) {
    const bytes = decodeBase64Url(payload.trim().split('.')[1] ?? '');
    if (!bytes) return null;
    text = decodeUtf8(bytes);
  }
  try {
    const parsed: unknown = parseStrictJson(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
