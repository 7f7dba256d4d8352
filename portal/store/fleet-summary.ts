// The overview's counts, exact, in one statement (one snapshot). A routers row is wide and
// rewritten by every status, so its pages are never all-visible: whatever the plan, a count pays
// a heap visit for every row it reads, and a sequential scan reads all of them. So each count
// reads only the routers it counts, through an index: the rare side of each flag (offline;
// disabled, not applied, erroring or never reported, in one bitmap scan), and whichever side of
// the "not reporting" cut-off the planner expects to be smaller, so a broker outage that
// silences the whole fleet costs as little as a healthy fleet. The number of routers is kept
// in fleet_count (migration 006) when routers are added or deleted.
import type { FleetSummary } from '../core/router-views.ts';
import type { Db } from './db.ts';
import type { QueryClock } from './fleet-queries.ts';

const REPORTING = 'status_received_at >= $1';
const NOT_REPORTING = '(status_received_at IS NULL OR status_received_at < $1)';

const countsSql = (side: string) =>
  `SELECT (SELECT routers FROM fleet_count) AS routers,
          (SELECT count(*) FROM routers WHERE NOT online) AS offline,
          flags.*,
          (SELECT count(*) FROM routers WHERE ${side}) AS side
     FROM (SELECT count(*) FILTER (WHERE enabled = false OR applied = false
                                      OR status_received_at IS NULL) AS "notEnforcing",
                  count(*) FILTER (WHERE enabled = false) AS disabled,
                  count(*) FILTER (WHERE applied = false OR has_error) AS "driftedOrErroring"
             FROM routers
            WHERE enabled = false OR applied = false OR has_error
               OR status_received_at IS NULL) AS flags`;

interface Counts {
  routers: number;
  offline: number;
  notEnforcing: number;
  disabled: number;
  driftedOrErroring: number;
  side: number;
}

type PlanNode = { 'Plan Rows': number; Plans?: PlanNode[] };

export async function fleetSummary(db: Db, clock: QueryClock): Promise<FleetSummary> {
  return db.transaction(async (tx) => {
    // The planner prices a heap visit as a disk read and picks a sequential scan from about
    // a fifth of the table on; the visits, not the reads, are the cost here (docs/portal.md).
    // PostgreSQL 15 prices a disabled scan type at 1e10, which would make it compile the
    // statement with JIT (about 120 ms measured, for a statement of a few milliseconds).
    await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL jit = off');
    return countFleet(tx, clock, (await fewerReporting(tx, clock)) ? 'reporting' : 'notReporting');
  });
}

const cutoffOf = (clock: QueryClock) =>
  new Date(clock.nowMs - clock.notReportingAfterMs).toISOString();

/** The counts, "not reporting" counted directly or as the rest of the fleet; the same either way. */
export async function countFleet(
  db: Db,
  clock: QueryClock,
  side: 'reporting' | 'notReporting',
): Promise<FleetSummary> {
  const { rows } = await db.query<Counts>(
    countsSql(side === 'reporting' ? REPORTING : NOT_REPORTING),
    [cutoffOf(clock)],
  );
  const c = rows[0]!;
  return {
    routers: c.routers,
    online: c.routers - c.offline,
    enforcing: c.routers - c.notEnforcing,
    disabled: c.disabled,
    driftedOrErroring: c.driftedOrErroring,
    notReporting: side === 'reporting' ? c.routers - c.side : c.side,
  };
}

/** Whether the planner expects fewer routers reporting than not (its statistics, no scan). */
export async function fewerReporting(db: Db, clock: QueryClock): Promise<boolean> {
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON) SELECT (SELECT count(*) FROM routers WHERE ${REPORTING}),
                                  (SELECT count(*) FROM routers WHERE ${NOT_REPORTING})`,
    [cutoffOf(clock)],
  );
  // A Result over two InitPlans, each an Aggregate over the scan that carries the estimate.
  const [reporting, notReporting] = (rows[0]!['QUERY PLAN'][0].Plan.Plans ?? []).map(
    (initPlan) => initPlan.Plans?.[0]?.['Plan Rows'] ?? Number.POSITIVE_INFINITY,
  );
  return (reporting ?? Number.POSITIVE_INFINITY) < (notReporting ?? Number.POSITIVE_INFINITY);
}
