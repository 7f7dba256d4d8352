// Store cases of ingest: state and status make a router record, a late Will of an old run never
// marks a live router offline, counters become per-hour deltas, and a big batch goes in one
// call. Run by store-suite.ts on PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_QUERY, type FleetQuery } from '../../../portal/core/fleet-query.ts';
import type { Db } from '../../../portal/store/db.ts';
import {
  blockedHistory,
  listRouters,
  routerDetail,
  topBlocked,
} from '../../../portal/store/fleet-queries.ts';
import { fleetSummary } from '../../../portal/store/fleet-summary.ts';
import { blockedSeries } from '../../../portal/store/blocked-series.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { BOOT_A, BOOT_B, deviceId, stateDoc, statusDoc } from '../support/documents.ts';
import { batch } from './ingest-batch.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const q = (extra: Partial<FleetQuery> = {}): FleetQuery => ({ ...DEFAULT_QUERY, ...extra });

export function ingestCases(test: Test<{ db: Db }>, now: number): void {
  const clock = { nowMs: now, notReportingAfterMs: 600_000 };

  test('state and status make a router record with the fleet-list columns', async ({ db }) => {
    const id = deviceId(1);
    await ingestBatch(
      db,
      batch({
        states: [
          { id, doc: stateDoc(true, BOOT_A, iso(now - 60_000)), receivedAtMs: now - 60_000 },
        ],
        statuses: [
          {
            id,
            doc: statusDoc({
              id,
              reportedAt: iso(now - 59_000),
              blocked: 7,
              wanProto: 'dhcp',
              version: 5,
            }),
            receivedAtMs: now - 59_000,
          },
        ],
      }),
    );
    const { items, total } = await listRouters(db, q(), clock);
    assert.is(total, 1);
    const r = items[0]!;
    assert.equal(
      [
        r.id,
        r.online,
        r.boot,
        r.wanProto,
        r.enabled,
        r.appliedVersion,
        r.applied,
        r.backend,
        r.blocked,
        r.notReporting,
      ],
      [id, true, BOOT_A, 'dhcp', true, 5, true, 'nftables', 7, false],
    );
    assert.is(r.model, 'Linksys E8450 (UBI)');
    const detail = await routerDetail(db, id, clock);
    assert.is(detail?.status?.counters.blocked_packets, 7);
    assert.is(detail?.state?.boot, BOOT_A);
  });

  test('a late Will of an old run never marks a live router offline', async ({ db }) => {
    const id = deviceId(2);
    // a fast reboot, the Will arriving in the same batch as the new run, then again later
    await ingestBatch(
      db,
      batch({
        states: [
          { id, doc: stateDoc(true, BOOT_A, iso(now - 9000)), receivedAtMs: now - 9000 },
          { id, doc: stateDoc(false, BOOT_A, iso(now - 9000)), receivedAtMs: now - 2000 },
          { id, doc: stateDoc(true, BOOT_B, iso(now - 1000)), receivedAtMs: now - 1000 },
        ],
      }),
    );
    const late = await ingestBatch(
      db,
      batch({ states: [{ id, doc: stateDoc(false, BOOT_A, iso(now - 9000)), receivedAtMs: now }] }),
    );
    assert.is(late.ignored, 1);
    const r = (await routerDetail(db, id, clock))!;
    assert.equal([r.online, r.boot], [true, BOOT_B]);
    // the present run's Will does mark it offline
    await ingestBatch(
      db,
      batch({ states: [{ id, doc: stateDoc(false, BOOT_B, iso(now - 1000)), receivedAtMs: now }] }),
    );
    assert.is((await routerDetail(db, id, clock))!.online, false);
  });

  test('counters: per-hour deltas, a drop is a reset, a message taken twice counts once', async ({
    db,
  }) => {
    const id = deviceId(3);
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    const s = (minute: number, blocked: number, receivedAtMs: number) => ({
      id,
      doc: statusDoc({
        id,
        reportedAt: iso(hour - 7_200_000 + minute * 60_000),
        blocked,
        sources: blocked ? [{ address: '198.51.100.23', attempts: blocked }] : [],
      }),
      receivedAtMs,
    });
    const first = s(0, 10, hour - 3_600_000); // previous hour
    await ingestBatch(db, batch({ statuses: [first, first] }));
    await ingestBatch(db, batch({ statuses: [first, s(5, 25, hour + 60_000)] }));
    await ingestBatch(
      db,
      batch({ statuses: [s(10, 4, hour + 120_000), s(10, 4, hour + 120_000)] }),
    );
    const history = await blockedHistory(db, id, 3, now);
    assert.equal(
      history.map((b) => b.blocked),
      [0, 10, 15 + 4],
    );
    assert.is(history[2]!.hour, iso(hour));
    assert.equal(
      (await blockedHistory(db, null, 2, now)).map((b) => b.blocked),
      [10, 19],
    );
    assert.equal(
      await blockedSeries(db, [deviceId(999), id], 3, now),
      [
        { id: deviceId(999), blocked: [0, 0, 0] },
        { id, blocked: [0, 10, 19] },
      ],
      'the sparklines: every hour, unknown routers all zero, in the asked order',
    );
    const detail = (await routerDetail(db, id, clock))!;
    assert.equal(detail.topSources, [{ address: '198.51.100.23', attempts: 29 }]);
    const top = await topBlocked(db, 24, 5, now);
    assert.equal(
      top.map((t) => [t.id, t.blocked]),
      [[id, 29]],
    );
  });

  test('a big batch goes in one call', async ({ db }) => {
    const statuses = Array.from({ length: 2000 }, (_, i) => ({
      id: deviceId(10_000 + i),
      doc: statusDoc({ id: deviceId(10_000 + i), blocked: 1 }),
      receivedAtMs: now,
    }));
    const states = statuses.map((s) => ({
      id: s.id,
      doc: stateDoc(true, BOOT_A, iso(now)),
      receivedAtMs: now,
    }));
    const out = await ingestBatch(db, batch({ states, statuses }));
    assert.is(out.changed.length, 2000);
    assert.is(out.cameOnline.length, 2000);
    assert.equal(await fleetSummary(db, clock), {
      routers: 2000,
      online: 2000,
      enforcing: 2000,
      disabled: 0,
      driftedOrErroring: 0,
      notReporting: 0,
    });
  });
}
