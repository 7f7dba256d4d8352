// The ISP's public keys (agent.verify_key_file), read at start and on every reload: a file
// that is set but unreadable is a config error, never "no keys".
import { InputError } from '../input-error.ts';
import { parseVerifyKeys, type VerifyKeys } from '../remote/public-key.ts';
import type { Runtime } from '../runtime/runtime.ts';

export function loadVerifyKeys(runtime: Runtime, file: string | null): VerifyKeys | null {
  if (!file) return null;
  const text = runtime.readText(file);
  if (text === null)
    throw new InputError('invalid_verify_key', `cannot read verify_key_file ${file}`);
  return parseVerifyKeys(text);
}
