// Store cases of the fleet list's filters: every filter, search, sort, paging and the total,
// with hostile device text kept as data; the same routers' summary. Run by store-suite.ts on
// PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_QUERY, type FleetQuery } from '../../../portal/core/fleet-query.ts';
import type { Db } from '../../../portal/store/db.ts';
import { listRouters, matchingIds } from '../../../portal/store/fleet-queries.ts';
import { fleetSummary } from '../../../portal/store/fleet-summary.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { deviceId, statusDoc } from '../support/documents.ts';
import { batch } from './ingest-batch.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const q = (extra: Partial<FleetQuery> = {}): FleetQuery => ({ ...DEFAULT_QUERY, ...extra });

export function fleetFilterCases(test: Test<{ db: Db }>, now: number): void {
  const clock = { nowMs: now, notReportingAfterMs: 600_000 };

  test('fleet list: filters, search, sort, paging and total; hostile text stays data', async ({
    db,
  }) => {
    const statuses = Array.from({ length: 30 }, (_, i) => {
      const id = deviceId(100 + i);
      return {
        id,
        doc: statusDoc({
          id,
          reportedAt: iso(now - 1000),
          blocked: i,
          enabled: i % 3 !== 0,
          applied: i % 5 !== 0,
          backend: i % 2 ? 'iptables' : 'nftables',
          wanProto: i < 10 ? 'dhcp' : 'pppoe',
          model: i === 7 ? "Evil <script>'; DROP TABLE routers; --" : 'Linksys E8450 (UBI)',
          error: i === 4 ? { code: 'firewall_failed', message: 'nft failed', at: iso(now) } : null,
        }),
        receivedAtMs: i < 25 ? now - 1000 : now - 3_600_000,
      };
    });
    await ingestBatch(db, batch({ statuses }));
    const ids = (r: { items: { id: string }[] }) => r.items.map((x) => x.id);
    assert.is((await listRouters(db, q({ limit: 10 }), clock)).total, 30);
    assert.equal(ids(await listRouters(db, q({ limit: 3, offset: 3 }), clock)), [
      deviceId(103),
      deviceId(104),
      deviceId(105),
    ]);
    assert.is((await listRouters(db, q({ enabled: false }), clock)).total, 10);
    assert.is((await listRouters(db, q({ applied: false }), clock)).total, 6);
    assert.is(
      (await listRouters(db, q({ backend: 'iptables', wanProto: 'dhcp' }), clock)).total,
      5,
    );
    assert.is((await listRouters(db, q({ hasError: true }), clock)).total, 1);
    assert.is((await listRouters(db, q({ notReporting: true }), clock)).total, 5);
    assert.is((await listRouters(db, q({ trouble: true }), clock)).total, 7, 'as the summary');
    assert.is((await listRouters(db, q({ trouble: false }), clock)).total, 23);
    assert.is((await listRouters(db, q({ blockedMin: 20 }), clock)).total, 10);
    assert.equal(
      ids(await listRouters(db, q({ sort: 'blocked', order: 'desc', limit: 2 }), clock)),
      [deviceId(129), deviceId(128)],
    );
    assert.equal(ids(await listRouters(db, q({ q: 'DROP TABLE' }), clock)), [deviceId(107)]);
    assert.equal(
      ids(await listRouters(db, q({ q: '%' }), clock)),
      [],
      'a % is a character, not a wildcard',
    );
    assert.equal(ids(await listRouters(db, q({ q: '00000000007' }), clock)).length, 16); // 0x70-0x7f
    assert.equal(await matchingIds(db, { enabled: false, backend: 'nftables' }, clock), [
      deviceId(100),
      deviceId(106),
      deviceId(112),
      deviceId(118),
      deviceId(124),
    ]);
    const summary = await fleetSummary(db, clock);
    assert.equal(summary, {
      routers: 30,
      online: 0,
      enforcing: 16,
      disabled: 10,
      driftedOrErroring: 7,
      notReporting: 5,
    });
  });
}
