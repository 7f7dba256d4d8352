// The store suite: the same tests against PGlite and against a real PostgreSQL 15 (see
// pglite.test.ts and postgres.test.ts). One database per file (PGlite takes seconds to start);
// every test starts from empty tables.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Db } from '../../../portal/store/db.ts';
import { migrate, migrationNames } from '../../../portal/store/migrate.ts';
import { actionRequestCases } from './action-request-cases.ts';
import { bootHistoryCases } from './boot-history-cases.ts';
import { fleetFilterCases } from './fleet-filter-cases.ts';
import { versionCases } from './version-cases.ts';
import { fleetListCases } from './fleet-list-cases.ts';
import { fleetSummaryCases } from './fleet-summary-cases.ts';
import { ingestCases } from './ingest-cases.ts';
import { vacuumCases } from './vacuum-cases.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 30);

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

  ingestCases(test, NOW);
  fleetFilterCases(test, NOW);
  actionRequestCases(test, NOW);
  fleetListCases(test, NOW);
  fleetSummaryCases(test, NOW);
  bootHistoryCases(test, NOW);
  versionCases(test, NOW);
  vacuumCases(test, NOW);
  return test;
}
