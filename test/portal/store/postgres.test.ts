import { openDb } from '../../../portal/store/db.ts';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import { storeSuite } from './store-suite.ts';

let cluster: PostgresCluster | null = null;
storeSuite(
  'PostgreSQL 15',
  async () => {
    cluster = startPostgresCluster();
    const db = await openDb({ databaseUrl: cluster.createDatabase('store') });
    const { rows } = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    if (!rows[0]!.v.startsWith('15.')) throw new Error(`expected PostgreSQL 15, got ${rows[0]!.v}`);
    return db;
  },
  async (db) => {
    await db.close();
    cluster?.stop();
  },
).run();
