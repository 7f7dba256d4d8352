// The store suite: the same tests against PGlite and against a real PostgreSQL 15 (see
// pglite.test.ts and postgres.test.ts). One database per file (PGlite takes seconds to start);
// every test starts from empty tables.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_QUERY, type FleetQuery } from '../../../portal/core/fleet-query.ts';
import {
  expireRequests,
  recordReplies,
  recordRequests,
  actionHistory,
  type SentRequest,
} from '../../../portal/store/action-store.ts';
import { recordDesired } from '../../../portal/store/desired-store.ts';
import type { Db } from '../../../portal/store/db.ts';
import {
  blockedHistory,
  listRouters,
  matchingIds,
  routerDetail,
  topBlocked,
} from '../../../portal/store/fleet-queries.ts';
import { fleetSummary } from '../../../portal/store/fleet-summary.ts';
import { blockedSeries } from '../../../portal/store/blocked-series.ts';
import { migrate, migrationNames } from '../../../portal/store/migrate.ts';
import { ingestBatch, type IngestBatch } from '../../../portal/store/router-ingest.ts';
import { BOOT_A, BOOT_B, deviceId, stateDoc, statusDoc } from '../support/documents.ts';
import { bootHistoryCases } from './boot-history-cases.ts';
import { versionCases } from './version-cases.ts';
import { fleetListCases } from './fleet-list-cases.ts';
import { fleetSummaryCases } from './fleet-summary-cases.ts';
import { vacuumCases } from './vacuum-cases.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 30);
const CLOCK = { nowMs: NOW, notReportingAfterMs: 600_000 };
const iso = (ms: number) => new Date(ms).toISOString();
const q = (extra: Partial<FleetQuery> = {}): FleetQuery => ({ ...DEFAULT_QUERY, ...extra });

function batch(parts: Partial<IngestBatch>): IngestBatch {
  return { states: parts.states ?? [], statuses: parts.statuses ?? [] };
}

function desiredRequest(
  routerId: string,
  version: number,
  extra: Partial<SentRequest> = {},
): SentRequest {
  return {
    routerId,
    kind: 'desired',
    action: 'disable',
    version,
    commandId: null,
    content: { version, enabled: false },
    operator: 'alice',
    reason: 'test',
    rolloutId: null,
    wave: null,
    status: 'sent',
    token: 'x.y.z',
    expMs: NOW + 86_400_000,
    ...extra,
  };
}

export function storeSuite(
  name: string,
  open: () => Promise<Db>,
  close: (db: Db) => Promise<void>,
) {
  const test = suite<{ db: Db }>(`store on ${name}`, {} as { db: Db });

  test.before(async (ctx) => {
    ctx.db = await open();
    assert.equal(await migrate(ctx.db), migrationNames());
  });
  test.after(async (ctx) => close(ctx.db));
  test.before.each(async ({ db }) => {
    await db.exec(
      'TRUNCATE routers, rollouts, actions, blocked_hourly, blocked_fleet_hourly, router_sources CASCADE',
    );
  });

  test('migrations are recorded and applied once', async ({ db }) => {
    assert.equal(await migrate(db), []);
    const { rows } = await db.query<{ name: string }>(
      'SELECT name FROM schema_migrations ORDER BY name',
    );
    assert.equal(
      rows.map((r) => r.name),
      migrationNames(),
    );
  });

  test('state and status make a router record with the fleet-list columns', async ({ db }) => {
    const id = deviceId(1);
    await ingestBatch(
      db,
      batch({
        states: [
          { id, doc: stateDoc(true, BOOT_A, iso(NOW - 60_000)), receivedAtMs: NOW - 60_000 },
        ],
        statuses: [
          {
            id,
            doc: statusDoc({
              id,
              reportedAt: iso(NOW - 59_000),
              blocked: 7,
              wanProto: 'dhcp',
              version: 5,
            }),
            receivedAtMs: NOW - 59_000,
          },
        ],
      }),
    );
    const { items, total } = await listRouters(db, q(), CLOCK);
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
    const detail = await routerDetail(db, id, CLOCK);
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
          { id, doc: stateDoc(true, BOOT_A, iso(NOW - 9000)), receivedAtMs: NOW - 9000 },
          { id, doc: stateDoc(false, BOOT_A, iso(NOW - 9000)), receivedAtMs: NOW - 2000 },
          { id, doc: stateDoc(true, BOOT_B, iso(NOW - 1000)), receivedAtMs: NOW - 1000 },
        ],
      }),
    );
    const late = await ingestBatch(
      db,
      batch({ states: [{ id, doc: stateDoc(false, BOOT_A, iso(NOW - 9000)), receivedAtMs: NOW }] }),
    );
    assert.is(late.ignored, 1);
    const r = (await routerDetail(db, id, CLOCK))!;
    assert.equal([r.online, r.boot], [true, BOOT_B]);
    // the present run's Will does mark it offline
    await ingestBatch(
      db,
      batch({ states: [{ id, doc: stateDoc(false, BOOT_B, iso(NOW - 1000)), receivedAtMs: NOW }] }),
    );
    assert.is((await routerDetail(db, id, CLOCK))!.online, false);
  });

  test('counters: per-hour deltas, a drop is a reset, a message taken twice counts once', async ({
    db,
  }) => {
    const id = deviceId(3);
    const hour = Math.floor(NOW / 3_600_000) * 3_600_000;
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
    const history = await blockedHistory(db, id, 3, NOW);
    assert.equal(
      history.map((b) => b.blocked),
      [0, 10, 15 + 4],
    );
    assert.is(history[2]!.hour, iso(hour));
    assert.equal(
      (await blockedHistory(db, null, 2, NOW)).map((b) => b.blocked),
      [10, 19],
    );
    assert.equal(
      await blockedSeries(db, [deviceId(999), id], 3, NOW),
      [
        { id: deviceId(999), blocked: [0, 0, 0] },
        { id, blocked: [0, 10, 19] },
      ],
      'the sparklines: every hour, unknown routers all zero, in the asked order',
    );
    const detail = (await routerDetail(db, id, CLOCK))!;
    assert.equal(detail.topSources, [{ address: '198.51.100.23', attempts: 29 }]);
    const top = await topBlocked(db, 24, 5, NOW);
    assert.equal(
      top.map((t) => [t.id, t.blocked]),
      [[id, 29]],
    );
  });

  test('fleet list: filters, search, sort, paging and total; hostile text stays data', async ({
    db,
  }) => {
    const statuses = Array.from({ length: 30 }, (_, i) => {
      const id = deviceId(100 + i);
      return {
        id,
        doc: statusDoc({
          id,
          reportedAt: iso(NOW - 1000),
          blocked: i,
          enabled: i % 3 !== 0,
          applied: i % 5 !== 0,
          backend: i % 2 ? 'iptables' : 'nftables',
          wanProto: i < 10 ? 'dhcp' : 'pppoe',
          model: i === 7 ? "Evil <script>'; DROP TABLE routers; --" : 'Linksys E8450 (UBI)',
          error: i === 4 ? { code: 'firewall_failed', message: 'nft failed', at: iso(NOW) } : null,
        }),
        receivedAtMs: i < 25 ? NOW - 1000 : NOW - 3_600_000,
      };
    });
    await ingestBatch(db, batch({ statuses }));
    const ids = (r: { items: { id: string }[] }) => r.items.map((x) => x.id);
    assert.is((await listRouters(db, q({ limit: 10 }), CLOCK)).total, 30);
    assert.equal(ids(await listRouters(db, q({ limit: 3, offset: 3 }), CLOCK)), [
      deviceId(103),
      deviceId(104),
      deviceId(105),
    ]);
    assert.is((await listRouters(db, q({ enabled: false }), CLOCK)).total, 10);
    assert.is((await listRouters(db, q({ applied: false }), CLOCK)).total, 6);
    assert.is(
      (await listRouters(db, q({ backend: 'iptables', wanProto: 'dhcp' }), CLOCK)).total,
      5,
    );
    assert.is((await listRouters(db, q({ hasError: true }), CLOCK)).total, 1);
    assert.is((await listRouters(db, q({ notReporting: true }), CLOCK)).total, 5);
    assert.is((await listRouters(db, q({ trouble: true }), CLOCK)).total, 7, 'as the summary');
    assert.is((await listRouters(db, q({ trouble: false }), CLOCK)).total, 23);
    assert.is((await listRouters(db, q({ blockedMin: 20 }), CLOCK)).total, 10);
    assert.equal(
      ids(await listRouters(db, q({ sort: 'blocked', order: 'desc', limit: 2 }), CLOCK)),
      [deviceId(129), deviceId(128)],
    );
    assert.equal(ids(await listRouters(db, q({ q: 'DROP TABLE' }), CLOCK)), [deviceId(107)]);
    assert.equal(
      ids(await listRouters(db, q({ q: '%' }), CLOCK)),
      [],
      'a % is a character, not a wildcard',
    );
    assert.equal(ids(await listRouters(db, q({ q: '00000000007' }), CLOCK)).length, 16); // 0x70-0x7f
    assert.equal(await matchingIds(db, { enabled: false, backend: 'nftables' }, CLOCK), [
      deviceId(100),
      deviceId(106),
      deviceId(112),
      deviceId(118),
      deviceId(124),
    ]);
    const summary = await fleetSummary(db, CLOCK);
    assert.equal(summary, {
      routers: 30,
      online: 0,
      enforcing: 16,
      disabled: 10,
      driftedOrErroring: 7,
      notReporting: 5,
    });
  });

  test('requests and replies: by version, by id, to the oldest open; twice is harmless; timeouts', async ({
    db,
  }) => {
    const id = deviceId(300);
    await ingestBatch(db, batch({ statuses: [{ id, doc: statusDoc({ id }), receivedAtMs: NOW }] }));
    const [d1, c1, d2] = await recordRequests(db, [
      desiredRequest(id, 11),
      {
        ...desiredRequest(id, null as unknown as number),
        kind: 'command',
        action: 'verify',
        commandId: 'verify-1',
        content: { id: 'verify-1', op: 'verify' },
      },
      desiredRequest(id, 12),
    ]);
    assert.ok(d1! > 0 && c1! > d1! && d2! > c1!);
    await recordDesired(db, [desiredRequest(id, 12), desiredRequest(id, 11)]);
    const detail = (await routerDetail(db, id, CLOCK))!;
    assert.is(detail.desiredVersion, 12, 'the older one does not overwrite the newer');
    const settled = await recordReplies(db, [
      { id, doc: { version: 11, ok: true }, receivedAtMs: NOW },
      { id, doc: { version: 11, ok: true }, receivedAtMs: NOW + 1 },
      {
        id,
        doc: { id: 'verify-1', ok: true, result: { applied: true, drift: [] } },
        receivedAtMs: NOW,
      },
    ]);
    assert.equal(
      settled.map((s) => [s.id, s.status]),
      [
        [d1, 'ok'],
        [c1, 'ok'],
      ],
    );
    const expired = await expireRequests(db, Date.now() + 10_000, 5_000);
    assert.equal(
      expired.map((e) => [e.id, e.status]),
      [[d2, 'no reply']],
    );
    const late = await recordReplies(db, [
      {
        id,
        doc: { version: null, ok: false, error: { code: 'bad_signature', message: 'no' } },
        receivedAtMs: NOW,
      },
    ]);
    assert.equal(
      late.map((s) => [s.id, s.status]),
      [[d2, 'error']],
      'a late reply without version settles the oldest open',
    );
    const history = await actionHistory(db, id, 10);
    assert.equal(
      history.map((h) => h.id),
      [d2, c1, d1],
    );
    assert.is(
      history[1]!.reply && 'result' in history[1]!.reply && history[1]!.reply.result?.applied,
      true,
    );
  });

  test('a big batch goes in one call', async ({ db }) => {
    const statuses = Array.from({ length: 2000 }, (_, i) => ({
      id: deviceId(10_000 + i),
      doc: statusDoc({ id: deviceId(10_000 + i), blocked: 1 }),
      receivedAtMs: NOW,
    }));
    const states = statuses.map((s) => ({
      id: s.id,
      doc: stateDoc(true, BOOT_A, iso(NOW)),
      receivedAtMs: NOW,
    }));
    const out = await ingestBatch(db, batch({ states, statuses }));
    assert.is(out.changed.length, 2000);
    assert.is(out.cameOnline.length, 2000);
    assert.equal(await fleetSummary(db, CLOCK), {
      routers: 2000,
      online: 2000,
      enforcing: 2000,
      disabled: 0,
      driftedOrErroring: 0,
      notReporting: 0,
    });
  });

  fleetListCases(test, NOW);
  fleetSummaryCases(test, NOW);
  bootHistoryCases(test, NOW);
  versionCases(test, NOW);
  vacuumCases(test, NOW);
  return test;
}
