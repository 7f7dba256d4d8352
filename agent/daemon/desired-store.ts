// The ISP's last desired state on flash (state_dir/desired.json): read at start, so the block
// is enforced at boot before the broker is reachable; written only when a newer one arrives.
import { InputError } from '../input-error.ts';
import { desiredFromObject, type DesiredState } from '../remote/desired-state.ts';
import type { Runtime } from '../runtime/runtime.ts';

export const DESIRED_FILE = 'desired.json';

/** The stored desired state; null when there is none. Throws InputError when it is unreadable. */
export function loadDesired(runtime: Runtime, stateDir: string): DesiredState | null {
  const text = runtime.readText(`${stateDir}/${DESIRED_FILE}`);
  if (text === null) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InputError('corrupt_state', `${stateDir}/${DESIRED_FILE} is not valid JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InputError('corrupt_state', `${stateDir}/${DESIRED_FILE} is not a JSON object`);
  return desiredFromObject(body as Record<string, unknown>);
}

/** Writes atomically (temporary file, rename), then flushes file and directory to flash. */
export async function saveDesired(
  runtime: Runtime,
  stateDir: string,
  desired: DesiredState,
): Promise<void> {
  runtime.makeDirectory(stateDir);
  const path = `${stateDir}/${DESIRED_FILE}`;
  runtime.writeTextAtomic(path, `${JSON.stringify(desired)}\n`);
  // QuickJS has no fsync. `sync FILE DIR` fsyncs both with coreutils; BusyBox builds without
  // FEATURE_SYNC_FANCY ignore the arguments and sync everything, which is durable too.
  const synced = await runtime.run(['sync', path, stateDir], { timeoutMs: 10_000 });
  if (synced.code !== 0) throw new Error(`sync failed: ${synced.stderr.trim()}`);
}
