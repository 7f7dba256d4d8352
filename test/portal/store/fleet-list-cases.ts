// Store cases of the fleet list's speed work (migration 002): the stored 24 h window of blocked
// packets across counter resets and hour rollover, the search rows following a device's fields,
// and estimated totals for broad filters. Run by store-suite.ts on PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_QUERY, type FleetQuery } from '../../../portal/core/fleet-query.ts';
import type { Db } from '../../../portal/store/db.ts';
import {
  blockedHistory,
  EXACT_TOTAL_MAX,
  listRouters,
  topBlocked,
} from '../../../portal/store/fleet-queries.ts';
import { refreshWindows } from '../../../portal/store/blocked-window-store.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { refreshStatistics } from '../../../portal/store/statistics.ts';
import { BOOT_A, BOOT_B, deviceId, stateDoc, statusDoc } from '../support/documents.ts';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const q = (extra: Partial<FleetQuery> = {}): FleetQuery => ({ ...DEFAULT_QUERY, ...extra });

export function fleetListCases(test: Test<{ db: Db }>, now: number): void {
  const hour = Math.floor(now / H) * H;

  test('the stored 24 h window: counter resets, hour rollover, the same as the history', async ({
    db,
  }) => {
    const id = deviceId(40);
    const status = (receivedAtMs: number, blocked: number, boot = BOOT_A) =>
      ingestBatch(db, {
        states: [],
        statuses: [
          {
            id,
            doc: statusDoc({ id, boot, reportedAt: iso(receivedAtMs), blocked }),
            receivedAtMs,
          },
        ],
      });
    // What the list says for the window ending at nowMs, and what the history sums to.
    const seen = async (nowMs: number) => {
      const clock = { nowMs, notReportingAfterMs: 600_000 };
      const list = await listRouters(db, q({ sort: 'blocked', order: 'desc' }), clock);
      const history = await blockedHistory(db, id, 24, nowMs);
      const summed = history.reduce((sum, b) => sum + b.blocked, 0);
      assert.is(list.items[0]!.blocked, summed, `list and history at ${iso(nowMs)}`);
      const over = await listRouters(db, q({ blockedMin: summed + 1 }), clock);
      assert.is(over.total, 0, 'blocked_min just above the window matches nothing');
      const top = await topBlocked(db, 24, 5, nowMs);
      assert.equal(
        top.map((t) => t.blocked),
        summed > 0 ? [summed] : [],
      );
      return summed;
    };
    await status(hour - 30 * H, 10); // first status: 10, outside the window by now
    await status(hour - 2 * H, 15); // +5
    await status(hour + 60_000, 3, BOOT_B); // a new run: its 3 are new, not -12
    assert.is(await seen(now), 8);
    const wide = await listRouters(db, q({ blockedHours: 48, blockedMin: 18 }), {
      nowMs: now,
      notReportingAfterMs: 600_000,
    });
    assert.equal(
      wide.items.map((r) => [r.id, r.blocked]),
      [[id, 18]],
      'another window sums the history',
    );
    assert.is(await seen(hour + 22 * H), 3, 'the hours before this one left the window');
    assert.is(await seen(hour + 24 * H), 0, 'nothing blocked in the last 24 hours');
    await status(hour + 24 * H + 60_000, 5, BOOT_B); // same run: +2
    assert.is(await seen(hour + 24 * H + 120_000), 2);
    await status(hour + 24 * H + 60_000, 5, BOOT_B); // taken twice: no harm
    await status(hour + 26 * H, 1, BOOT_A); // a reset an hour later: +1
    assert.is(await seen(hour + 26 * H), 3);
  });

  test('the hourly refresh moves every stale window, chunk by chunk, and counts them', async ({
    db,
  }) => {
    const ids = [1, 2, 3, 4].map((n) => deviceId(60 + n));
    const quiet = deviceId(70); // reported, nothing blocked: never stale
    const at = hour - 2 * H + 60_000;
    await ingestBatch(db, {
      states: [],
      statuses: [...ids, quiet].map((id) => ({
        id,
        doc: statusDoc({ id, reportedAt: iso(at), blocked: id === quiet ? 0 : 5 }),
        receivedAtMs: at,
      })),
    });
    const blocked = async () => {
      const { rows } = await db.query<{ id: string; blocked_24h: number }>(
        'SELECT id, blocked_24h FROM routers ORDER BY id',
      );
      return rows.map((r) => Number(r.blocked_24h));
    };
    // An hour later the hours of the statuses are still inside the window: moved, kept.
    assert.is(await refreshWindows(db, hour + H, 3), 4, 'all four, in chunks of 3');
    assert.equal(await blocked(), [5, 5, 5, 5, 0]);
    assert.is(await refreshWindows(db, hour + H + 60_000, 3), 0, 'nothing left in this hour');
    // A day on, they left it.
    assert.is(await refreshWindows(db, hour + 23 * H, 3), 4);
    assert.equal(await blocked(), [0, 0, 0, 0, 0]);
    assert.is(await refreshWindows(db, hour + 24 * H, 3), 0, 'nothing blocked: never stale again');
  });

  test("a large refresh takes PGlite's statistics of routers again", async ({ db }) => {
    const at = hour - 2 * H + 60_000;
    const statuses = Array.from({ length: 1200 }, (_, n) => {
      const id = deviceId(5000 + n);
      return { id, doc: statusDoc({ id, reportedAt: iso(at), blocked: 1 }), receivedAtMs: at };
    });
    await ingestBatch(db, { states: [], statuses });
    await refreshStatistics(db);
    const analyzed = async () => {
      const { rows } = await db.query<{ at: Date | null }>(
        `SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'routers'`,
      );
      return rows[0]?.at?.getTime() ?? 0;
    };
    const before = await analyzed();
    assert.is(await refreshWindows(db, hour + H), 1200);
    // A server's autovacuum analyzes on its own schedule: only PGlite's is asserted.
    if (db.kind === 'pglite') assert.ok((await analyzed()) > before, 'analyzed after');
  });

  test('search follows a router model, board and release; a state-only router by its id', async ({
    db,
  }) => {
    const id = deviceId(41);
    const clock = { nowMs: now, notReportingAfterMs: 600_000 };
    const found = async (text: string) =>
      (await listRouters(db, q({ q: text }), clock)).items.map((r) => r.id);
    const report = (model: string, at: number) =>
      ingestBatch(db, {
        states: [],
        statuses: [{ id, doc: statusDoc({ id, model, reportedAt: iso(at) }), receivedAtMs: at }],
      });
    await report('Netgear R7800', now - 2000);
    assert.equal(await found('r7800'), [id]);
    await report('GL.iNet GL-MT6000', now - 1000);
    assert.equal(await found('r7800'), []);
    assert.equal(await found('GL-mt6000'), [id]);
    const quiet = deviceId(42);
    await ingestBatch(db, {
      states: [{ id: quiet, doc: stateDoc(true, BOOT_A, iso(now)), receivedAtMs: now }],
      statuses: [],
    });
    assert.equal(await found(quiet.slice(4)), [quiet]);
  });

  test('totals: counted when few match, the estimate (flagged) when many do', async ({ db }) => {
    const routers = EXACT_TOTAL_MAX + 1000;
    for (let start = 0; start < routers; start += 2000) {
      const statuses = [];
      for (let n = start; n < Math.min(routers, start + 2000); n++) {
        const id = deviceId(50_000 + n);
        const doc = statusDoc({ id, reportedAt: iso(now), applied: n % 100 !== 0 });
        statuses.push({ id, doc, receivedAtMs: now });
      }
      await ingestBatch(db, { states: [], statuses });
    }
    await refreshStatistics(db);
    const clock = { nowMs: now, notReportingAfterMs: 600_000 };
    const all = await listRouters(db, q(), clock);
    assert.ok(all.totalEstimated, 'every router: estimated');
    assert.ok(Math.abs(all.total - routers) < routers * 0.2, `estimate ${all.total} of ${routers}`);
    const few = await listRouters(db, q({ applied: false }), clock);
    assert.equal([few.total, few.totalEstimated], [routers / 100, false]);
  });
}
