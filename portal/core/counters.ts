// Blocked-attempt counters: the router reports totals since the rules were last built; the portal
// keeps deltas. Counters restart when the daemon restarts (a new boot), when the rules are rebuilt
// (a new policy version, a repair) or by any other rebuild: a drop is a reset, never a negative
// count.
import type { StatusDoc, TopSource } from '../../contract/message-types.ts';

/** What the previous status left, to compare the next one with. */
export interface CounterBasis {
  readonly boot: string | null;
  readonly reportedAt: string;
  readonly blockedPackets: number;
  readonly appliedVersion: number;
  readonly repairs: number;
  readonly sources: readonly TopSource[];
}

export type StatusEffect =
  | { readonly duplicate: true }
  | {
      readonly duplicate: false;
      readonly reset: boolean;
      readonly blockedDelta: number;
      /** Attempts per LAN source since the previous status (only positive ones). */
      readonly sourceDeltas: readonly TopSource[];
      readonly basis: CounterBasis;
    };

export function basisOf(doc: StatusDoc): CounterBasis {
  return {
    boot: doc.agent.boot,
    reportedAt: doc.reported_at,
    blockedPackets: doc.counters.blocked_packets,
    appliedVersion: doc.policy.version,
    repairs: doc.enforcement.repairs,
    sources: doc.counters.top_sources,
  };
}

/** What a status document adds to the history, given the previous one (null: first ever). */
export function statusEffect(previous: CounterBasis | null, doc: StatusDoc): StatusEffect {
  const basis = basisOf(doc);
  if (previous === null)
    return {
      duplicate: false,
      reset: true,
      blockedDelta: basis.blockedPackets,
      sourceDeltas: basis.sources,
      basis,
    };
  const sameRun = previous.boot === basis.boot;
  // The same run never reports twice at the same time: an older or equal one was seen already.
  if (sameRun && Date.parse(basis.reportedAt) <= Date.parse(previous.reportedAt))
    return { duplicate: true };
  const reset =
    !sameRun ||
    basis.blockedPackets < previous.blockedPackets ||
    basis.appliedVersion !== previous.appliedVersion ||
    basis.repairs > previous.repairs;
  const blockedDelta = reset
    ? basis.blockedPackets
    : basis.blockedPackets - previous.blockedPackets;
  const before = new Map(reset ? [] : previous.sources.map((s) => [s.address, s.attempts]));
  const sourceDeltas: TopSource[] = [];
  for (const source of basis.sources) {
    const prior = before.get(source.address) ?? 0;
    const delta = source.attempts >= prior ? source.attempts - prior : source.attempts;
    if (delta > 0) sourceDeltas.push({ address: source.address, attempts: delta });
  }
  return { duplicate: false, reset, blockedDelta, sourceDeltas, basis };
}

/** The hour a delta is counted in: the portal's clock (routers' clocks may be far off). */
export function hourOf(receivedAtMs: number): Date {
  return new Date(Math.floor(receivedAtMs / 3_600_000) * 3_600_000);
}
