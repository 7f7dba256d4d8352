// What a fleet run counts, for the periodic progress line, the tests and the bench.
export interface FleetStats {
  /** Routers connected and subscribed right now. */
  online: number;
  /** CONNACKs received (first connections and reconnections). */
  connects: number;
  /** Connection attempts that failed or connections that ended unasked. */
  connectionLosses: number;
  /** Simulated link drops (flaky routers) and reboots among them. */
  drops: number;
  reboots: number;
  readonly published: { state: number; status: number; reply: number };
  readonly received: { desired: number; cmd: number };
  /** Replies by outcome: `ok`, or the error code. */
  readonly replies: Map<string, number>;
  /** Milliseconds from the start until every router had been online at least once, or null. */
  allConnectedMs: number | null;
}

export function emptyStats(): FleetStats {
  return {
    online: 0,
    connects: 0,
    connectionLosses: 0,
    drops: 0,
    reboots: 0,
    published: { state: 0, status: 0, reply: 0 },
    received: { desired: 0, cmd: 0 },
    replies: new Map(),
    allConnectedMs: null,
  };
}

/** One line for the terminal: `online 998/1000 connects 1003 ... replies ok=10 stale_version=1`. */
export function formatStats(stats: FleetStats, routers: number, elapsedMs: number): string {
  const replies = [...stats.replies].map(([code, n]) => `${code}=${n}`).join(' ') || '-';
  return (
    `t=${(elapsedMs / 1000).toFixed(0)}s online ${stats.online}/${routers} ` +
    `connects ${stats.connects} losses ${stats.connectionLosses} drops ${stats.drops} ` +
    `published state ${stats.published.state} status ${stats.published.status} ` +
    `reply ${stats.published.reply} received desired ${stats.received.desired} ` +
    `cmd ${stats.received.cmd} replies ${replies}`
  );
}
