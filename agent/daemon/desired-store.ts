// The ISP's last desired state on flash (state_dir/desired.json): read at start, so the block
// is enforced at boot before the broker is reachable; written only when a newer one arrives.
import { parseStrictJson } from '../encoding/strict-json.ts';
import { InputError } from '../input-error.ts';
import { desiredFromObject, type DesiredState } from '../remote/desired-state.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { StorageError } from '../storage-error.ts';

export const DESIRED_FILE = 'desired.json';

/** The stored desired state; null when there is none. Throws InputError when it is unreadable. */
export function loadDesired(runtime: Runtime, stateDir: string): DesiredState | null {
  const text = runtime.readText(`${stateDir}/${DESIRED_FILE}`);
  if (text === null) return null;
  let body: unknown;
  try {
    body = parseStrictJson(text);
  } catch {
    throw new InputError('corrupt_state', `${stateDir}/${DESIRED_FILE} is not valid JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InputError('corrupt_state', `${stateDir}/${DESIRED_FILE} is not a JSON object`);
  return desiredFromObject(body as Record<string, unknown>);
}

/**
 * Writes atomically (temporary file, rename), then flushes file and directory to flash. Throws
 * StorageError (code storage_failed) with the system's reason; the old file is then untouched.
 */
export async function saveDesired(
  runtime: Runtime,
  stateDir: string,
  desired: DesiredState,
): Promise<void> {
  const path = `${stateDir}/${DESIRED_FILE}`;
  try {
    runtime.makeDirectory(stateDir);
    runtime.writeTextAtomic(path, `${JSON.stringify(desired)}\n`);
  } catch (error) {
    throw new StorageError(error instanceof Error ? error.message : String(error));
  }
  // QuickJS has no fsync. `sync FILE DIR` fsyncs both with coreutils; BusyBox builds without
  // FEATURE_SYNC_FANCY ignore the arguments and sync everything, which is durable too.
  const synced = await runtime.run(['sync', path, stateDir], { timeoutMs: 10_000 });
  if (synced.code !== 0) throw new StorageError(`sync failed: ${synced.stderr.trim()}`);
}

/**
 * Removes temporary files a kill left between write and rename (writeTextAtomic names them
 * `desired.json.tmp-*`); returns their names. Run at start, before anything writes there.
 */
export function removeLeftovers(runtime: Runtime, stateDir: string): string[] {
  const leftovers = runtime
    .listDirectory(stateDir)
    .filter((name) => name.startsWith(`${DESIRED_FILE}.tmp-`));
  for (const name of leftovers) runtime.removeFile(`${stateDir}/${name}`);
  return leftovers;
}
