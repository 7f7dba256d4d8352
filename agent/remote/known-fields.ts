// Messages name their fields exactly: an unknown one (a typo such as "enable") is refused rather
// than ignored. Apart from claims.ts so that validating a stored desired state needs no crypto.
import { InputError } from '../input-error.ts';

/** Claims the envelope itself uses; everything else belongs to the message. */
export const ENVELOPE_CLAIMS = ['sub', 'exp', 'iat', 'nbf', 'jti'];

/** Refuses fields outside `allowed` (and the envelope's), so a typo never passes silently. */
export function rejectUnknownFields(
  body: Readonly<Record<string, unknown>>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(body))
    if (!allowed.includes(key) && !ENVELOPE_CLAIMS.includes(key))
      throw new InputError('unknown_field', `unknown field ${JSON.stringify(key)}`);
}
