// Desired-state versions: a router ignores for ever any version lower than the one it applied
// (kept on its flash), and refuses the same version with other content. So every new desired
// state takes max(last + 1, clock floor, reported + 1):
// - last + 1: never reuse one the portal handed out (the database allocates atomically);
// - the clock floor (milliseconds since the epoch): a wiped database starts above every version
//   it handed out before, as long as it never handed out more than one per millisecond ahead of
//   the clock for a router;
// - reported + 1: above what the router says it applied (status.policy.version).
// portal/store/fleet-store.ts runs the same rule in SQL (GREATEST) inside one UPDATE.

export const MAX_VERSION = Number.MAX_SAFE_INTEGER;

export function clockFloor(nowMs: number): number {
  return Math.floor(nowMs);
}

export function nextVersion(last: number, nowMs: number, reported: number | null): number {
  const version = Math.max(last + 1, clockFloor(nowMs), (reported ?? 0) + 1);
  if (!Number.isSafeInteger(version) || version > MAX_VERSION)
    throw new RangeError(`version ${version} is out of the contract's range`);
  return version;
}
