// The rig of one stateful suite: made before its first test, destroyed after its last. uvu
// swallows an error thrown in a hook, so a failed set-up is rethrown by every test instead.
import type { Test } from 'uvu';
import { createRig, type Rig, type RigOptions } from './create-rig.ts';

/** Registers the suite's before/after hooks; the returned function gives the rig to a test. */
export function suiteRig(
  test: Test,
  options: RigOptions,
  prepare?: (rig: Rig) => Promise<void>,
): () => Rig {
  let rig: Rig | null = null;
  let setupError: unknown = null;
  test.before(async () => {
    try {
      rig = await createRig(options);
      await prepare?.(rig);
    } catch (error) {
      setupError = error; // uvu would swallow it here; every test rethrows it
    }
  });
  test.after(async () => {
    await rig?.destroy();
    rig = null;
  });
  return () => {
    if (rig) return rig;
    throw setupError instanceof Error ? setupError : new Error(String(setupError));
  };
}
