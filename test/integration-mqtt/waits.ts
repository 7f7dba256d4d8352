// Bounded waits for what the agent does asynchronously: every wait has a deadline.

/** Default bound of every wait for the agent. */
export const WAIT_MS = 5000;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns something other than undefined; fails after `timeoutMs`. */
export async function waitUntil<V>(
  what: string,
  check: () => V | undefined | Promise<V | undefined>,
  timeoutMs = WAIT_MS,
  everyMs = 50,
): Promise<V> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await sleep(everyMs);
  }
}
