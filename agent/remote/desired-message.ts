// A desired state as it arrives over MQTT: size, signature, device and expiry checks
// (claims.ts), then the fields (desired-state.ts). Apart from desired-state.ts so that reading
// the stored state (the one-shot commands do) needs none of the signature code.
import { readClaims, refusedClaims, withClaims, type ClaimsContext } from './claims.ts';
import { desiredFromObject, parseVersion, type DesiredState } from './desired-state.ts';

export function parseDesiredMessage(
  payload: string,
  byteLength: number,
  context: ClaimsContext,
): DesiredState {
  const { body } = readClaims(payload, byteLength, context);
  return withClaims(body, () => desiredFromObject(body));
}

/**
 * The checks that need no policy work (size, signature, device, expiry, version), so that a
 * stale or forged state is refused before its lists are validated with desiredFromObject().
 */
export function parseDesiredEnvelope(
  payload: string,
  byteLength: number,
  context: ClaimsContext,
): { readonly version: number; readonly body: Readonly<Record<string, unknown>> } {
  const { body } = readClaims(payload, byteLength, context);
  return withClaims(body, () => ({ version: parseVersion(body.version), body }));
}

/**
 * The version of a refused desired state, for the reply: only from authentic claims (a verified
 * JWS, or plain JSON with allow_unsigned), whatever number is there; else null.
 */
export function versionHint(error: unknown): number | null {
  const version = refusedClaims(error)?.version;
  return typeof version === 'number' && Number.isSafeInteger(version) ? version : null;
}
