// Reconnect delays: exponential backoff with full jitter and a cap (AWS architecture blog,
// "Exponential Backoff And Jitter"), so that a million routers that lost the broker at the same
// moment do not come back at the same moment.

/**
 * A session counts as healthy, and the backoff starts again from `reconnect_min`, only once it
 * has been subscribed this long. Resetting at CONNACK would let a broker that accepts and then
 * fails the subscription, or closes at once, get a new attempt every second for ever.
 */
export const HEALTHY_SESSION_MS = 60_000;

/** The upper bound in seconds of the delay before attempt `attempt` (0 = the first retry). */
export function backoffCeilingS(attempt: number, minS: number, maxS: number): number {
  return Math.min(maxS, minS * 2 ** Math.min(attempt, 30));
}

/** Delay in ms before attempt `attempt` (0 = the first retry); `random` is in [0, 1). */
export function backoffDelayMs(
  attempt: number,
  minS: number,
  maxS: number,
  random: number,
): number {
  return Math.floor(random * backoffCeilingS(attempt, minS, maxS) * 1000);
}
