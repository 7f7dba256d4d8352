// One migrated in-memory PGlite for every portal test file of a run (starting one takes seconds),
// emptied by each test that uses it.
import type { Db } from '../../../portal/store/db.ts';
import { openDb } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';

let shared: Promise<Db> | null = null;

export function sharedPglite(): Promise<Db> {
  shared ??= (async () => {
    const db = await openDb({});
    await migrate(db);
    return db;
  })();
  return shared;
}

export async function emptyFleet(db: Db): Promise<void> {
  await db.exec(
    'TRUNCATE routers, rollouts, actions, blocked_hourly, blocked_fleet_hourly, router_sources CASCADE',
  );
}
