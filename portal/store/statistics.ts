// Planner statistics of the fleet tables. A PostgreSQL server's autovacuum keeps them; PGlite
// runs no background workers, so the service refreshes them itself at start and then
// periodically. The fleet list's estimated totals and its choice of index depend on them.
import type { Db } from './db.ts';

export async function refreshStatistics(db: Db): Promise<void> {
  await db.exec('ANALYZE routers, router_search, blocked_hourly');
  // router_search is rarely written: vacuumed here, as nothing else does on PGlite.
  await db.exec('VACUUM router_search');
}
