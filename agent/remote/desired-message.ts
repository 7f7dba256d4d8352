// A desired state as it arrives over MQTT: size, signature, device and expiry checks
// (claims.ts), then the fields (desired-state.ts). Apart from desired-state.ts so that reading
// the stored state (the one-shot commands do) needs none of the signature code.
import { readClaims, unverifiedBody, type ClaimsContext } from './claims.ts';
import { desiredFromObject, type DesiredState } from './desired-state.ts';

export function parseDesiredMessage(
  payload: string,
  byteLength: number,
  context: ClaimsContext,
): DesiredState {
  return desiredFromObject(readClaims(payload, byteLength, context).body);
}

/** The version of a payload that failed validation, when it can be read, for the reply. */
export function versionHint(payload: string): number | null {
  const version = unverifiedBody(payload)?.version;
  return typeof version === 'number' && Number.isSafeInteger(version) ? version : null;
}
