// Store cases of the overview's counts: "not reporting" is counted on whichever side of the
// cut-off the planner expects to be smaller, and both sides must give the same, exact counts,
// for a fleet that mostly reports and for one silenced by an outage. Run by store-suite.ts on
// PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Db } from '../../../portal/store/db.ts';
import { countFleet, fewerReporting, fleetSummary } from '../../../portal/store/fleet-summary.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { refreshStatistics } from '../../../portal/store/statistics.ts';
import { BOOT_A, deviceId, stateDoc, statusDoc } from '../support/documents.ts';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function fleetSummaryCases(test: Test<{ db: Db }>, now: number): void {
  test('summary: exact counts on either side of the not-reporting cut-off', async ({ db }) => {
    const empty = { nowMs: now, notReportingAfterMs: 600_000 };
    assert.equal(await fleetSummary(db, empty), {
      routers: 0,
      online: 0,
      enforcing: 0,
      disabled: 0,
      driftedOrErroring: 0,
      notReporting: 0,
    });
    // 400 routers with a status (300 of them recent), 6 that only ever sent their state.
    const reporting = Array.from({ length: 400 }, (_, i) => i);
    const states = [...reporting, ...[1000, 1001, 1002, 1003, 1004, 1005]].map((i) => ({
      id: deviceId(i),
      doc: stateDoc(i % 10 !== 0, BOOT_A, iso(now - 60_000)),
      receivedAtMs: now - 60_000,
    }));
    const statuses = reporting.map((i) => ({
      id: deviceId(i),
      doc: statusDoc({
        id: deviceId(i),
        reportedAt: iso(now - 60_000),
        enabled: i % 20 !== 1, // 20 disabled
        applied: i % 25 !== 2, // 16 not applied, none of them disabled
        error:
          i % 40 === 3 ? { code: 'firewall_failed', message: 'nft failed', at: iso(now) } : null,
      }),
      receivedAtMs: i < 300 ? now - 60_000 : now - 2 * H,
    }));
    await ingestBatch(db, { states, statuses });
    await refreshStatistics(db);
    // offline: every tenth, 40 with a status and router 1000
    const fixed = { routers: 406, online: 406 - 41, disabled: 20, driftedOrErroring: 16 + 10 };
    // enforcing: not disabled, applied, and a status at all
    const healthy = { ...fixed, enforcing: 406 - 20 - 16 - 6, notReporting: 100 + 6 };
    const outage = { ...healthy, notReporting: 406 };
    for (const [nowMs, expected, fewer] of [
      [now, healthy, false],
      [now + 3 * H, outage, true],
    ] as const) {
      const clock = { nowMs, notReportingAfterMs: 600_000 };
      const at = `at ${iso(nowMs)}`;
      assert.is(await fewerReporting(db, clock), fewer, `the side the planner expects ${at}`);
      assert.equal(await countFleet(db, clock, 'reporting'), expected, `reporting side ${at}`);
      assert.equal(await countFleet(db, clock, 'notReporting'), expected, `other side ${at}`);
      assert.equal(await fleetSummary(db, clock), expected, at);
    }
  });

  test('summary: the number of routers follows new routers, device changes and deletions', async ({
    db,
  }) => {
    // Every suite case starts from a TRUNCATE: the kept number must have gone back to 0.
    const clock = { nowMs: now, notReportingAfterMs: 600_000 };
    const status = (i: number, model: string) => ({
      id: deviceId(i),
      doc: statusDoc({ id: deviceId(i), reportedAt: iso(now - 1000), model }),
      receivedAtMs: now - 1000,
    });
    const count = async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM routers');
      return [(await fleetSummary(db, clock)).routers, rows[0]!.n];
    };
    assert.equal(await count(), [0, 0], 'after the TRUNCATE of the previous case');
    await ingestBatch(db, { states: [], statuses: [1, 2, 3].map((i) => status(i, 'A')) });
    assert.equal(await count(), [3, 3]);
    // Two new ones and a known one whose model changed (its search row is upserted) at once.
    await ingestBatch(db, { states: [], statuses: [3, 4, 5].map((i) => status(i, 'B')) });
    assert.equal(await count(), [5, 5]);
    await ingestBatch(db, { states: [], statuses: [1, 2].map((i) => status(i, 'A')) });
    assert.equal(await count(), [5, 5], 'the same routers again');
    await db.query('DELETE FROM routers WHERE id = ANY($1::text[])', [[deviceId(2), deviceId(4)]]);
    assert.equal(await count(), [3, 3], 'deletions cascade to the search rows');
  });
}
