// Turns an MQTT payload into a claims object, the same way for desired states and commands:
// size limit, a verified JWS (when keys are configured) or plain JSON (only with allow_unsigned),
// device id and expiry checks.
import { parseStrictJson } from '../encoding/strict-json.ts';
import { InputError } from '../input-error.ts';
import { looksLikeJws, verifyJws } from './jws.ts';
import type { VerifyKeys } from './public-key.ts';

export { ENVELOPE_CLAIMS, rejectUnknownFields } from './known-fields.ts';

/** Larger payloads are refused before any parsing. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** Clocks of routers and the ISP's signer drift apart: time claims get this much slack. */
export const CLOCK_LEEWAY_S = 60;

export interface ClaimsContext {
  readonly deviceId: string;
  /** The ISP's Ed25519 keys; null when none is configured. */
  readonly keys: VerifyKeys | null;
  /** No keys and `agent.allow_unsigned '1'`: plain JSON is obeyed. Ignored when keys are set. */
  readonly allowUnsigned: boolean;
  /** Seconds since the epoch. */
  readonly now: number;
}

/** How a router takes remote control, as its status says. */
export type RemoteControl = 'signed' | 'unsigned' | 'off';

export function remoteControl(
  context: Pick<ClaimsContext, 'keys' | 'allowUnsigned'>,
): RemoteControl {
  return context.keys ? 'signed' : context.allowUnsigned ? 'unsigned' : 'off';
}

/**
 * A refusal of a message whose claims are authentic (a verified JWS, or plain JSON the router
 * was told to take unsigned): its claims may be echoed in the reply. Any other refusal echoes
 * nothing, since its payload is whatever anyone wrote.
 */
export class RefusedClaims extends InputError {
  constructor(
    cause: InputError,
    readonly body: Readonly<Record<string, unknown>>,
  ) {
    super(cause.code, cause.message);
  }
}

/** Runs `check` on authentic claims; an InputError it throws carries them (RefusedClaims). */
export function withClaims<T>(body: Readonly<Record<string, unknown>>, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InputError && !(error instanceof RefusedClaims))
      throw new RefusedClaims(error, body);
    throw error;
  }
}

/** The authentic claims of a refused message, for the reply; null when there are none. */
export function refusedClaims(error: unknown): Readonly<Record<string, unknown>> | null {
  return error instanceof RefusedClaims ? error.body : null;
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
  const signed = context.keys !== null;
  if (context.keys) {
    if (!looksLikeJws(payload))
      throw new InputError('unsigned', 'a verification key is configured: expected a signed JWS');
    raw = verifyJws(payload, context.keys);
  } else {
    // Secure by default: without a key, remote control needs an explicit allow_unsigned.
    if (!context.allowUnsigned)
      throw new InputError(
        'no_verify_key',
        'no agent.verify_key_file is configured and allow_unsigned is off: remote control is refused',
      );
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
  return withClaims(body, () => checkEnvelope(body, signed, context));
}

function checkEnvelope(
  body: Readonly<Record<string, unknown>>,
  signed: boolean,
  context: ClaimsContext,
): Claims {
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
