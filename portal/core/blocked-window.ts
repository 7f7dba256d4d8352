// A router's blocked packets in the last 24 hours, kept beside its record so the fleet list can
// sort and filter on it without summing histories: the hours `endMs - 23 h .. endMs` (the
// current hour and the 23 before it, as the fleet list's default window). Ingest moves the
// window on with each status; hours that leave it are subtracted by a recount.

export const HOUR_MS = 3_600_000;
export const WINDOW_HOURS = 24;

export interface BlockedWindow {
  readonly total: number;
  /** The last hour of the window (start of the hour, ms); null: nothing counted yet. */
  readonly endMs: number | null;
}

export interface HourDelta {
  readonly hourMs: number;
  readonly blocked: number;
}

/** The first hour inside a window ending at endMs. */
export function windowStart(endMs: number): number {
  return endMs - (WINDOW_HOURS - 1) * HOUR_MS;
}

/** Where the window ends once deltas of these hours are in (it never moves back). */
export function nextEnd(prev: BlockedWindow, hours: readonly number[]): number {
  return Math.max(prev.endMs ?? Number.NEGATIVE_INFINITY, ...hours);
}

/**
 * Whether moving the window to endMs needs the history summed again: hours may have left it.
 * Not when it stays put, nor when it held nothing (hours after its end hold nothing yet:
 * every delta goes through ingest, which moves the window).
 */
export function needsRecount(prev: BlockedWindow, endMs: number): boolean {
  return prev.endMs !== null && prev.endMs !== endMs && prev.total > 0;
}

/**
 * The window after a batch: `base` is what the stored history (before the batch) holds inside
 * the new window (prev.total when it did not move, else a recount or 0), plus the batch's own
 * deltas inside it.
 */
export function advance(base: number, endMs: number, deltas: readonly HourDelta[]): BlockedWindow {
  const start = windowStart(endMs);
  let total = base;
  for (const d of deltas) if (d.hourMs >= start && d.hourMs <= endMs) total += d.blocked;
  return { total, endMs };
}

/** How long from nowMs until `afterMs` past the start of the next hour. */
export function untilNextHour(nowMs: number, afterMs: number): number {
  return Math.floor(nowMs / HOUR_MS) * HOUR_MS + HOUR_MS + afterMs - nowMs;
}
