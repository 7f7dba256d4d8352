// Reconnect delays: exponential backoff with full jitter and a cap (AWS architecture blog,
// "Exponential Backoff And Jitter"), so that a million routers that lost the broker at the same
// moment do not come back at the same moment.

/** Delay in ms before attempt `attempt` (0 = the first retry); `random` is in [0, 1). */
export function backoffDelayMs(
  attempt: number,
  minS: number,
  maxS: number,
  random: number,
): number {
  const ceiling = Math.min(maxS, minS * 2 ** Math.min(attempt, 30));
  return Math.floor(random * ceiling * 1000);
}
