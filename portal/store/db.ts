// The portal's one database interface: PostgreSQL either way. PGlite (in-process, a data
// directory, no server) by default; a PostgreSQL server through `pg` when DATABASE_URL is set.
// Both run the very same SQL and migrations; the value parsers are aligned here (int8 and
// numeric as numbers, timestamptz as Date) so callers never see which one is behind.

export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw). Nested calls join it. */
  transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R>;
  /**
   * LISTEN on `channel` (lower-case letters, digits, _) on a connection of its own; `onEnd` is
   * called when that connection is lost (listen again). Resolves to the function that stops.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onEnd?: (error: Error) => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

export interface DbOptions {
  /** postgres://... : a PostgreSQL server. Wins over dataDir. */
  readonly databaseUrl?: string;
  /** PGlite's data directory; absent: in memory (tests). */
  readonly dataDir?: string;
}

const INT8 = 20;
const NUMERIC = 1700;
// Versions and counters stay below 2^53 (the contract's integer range), so numbers are exact.
const toNumber = (text: string): number => Number(text);
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${JSON.stringify(channel)}`);
}

// PGlite's defaults are a server's (WAL for replicas, full-page images, up to 1 GB of WAL kept,
// which an in-memory database holds in RAM). It already runs with fsync off, so full-page
// images guard against nothing more; one process, no replicas: minimal WAL, a small ring of it.
const PGLITE_CONF = [
  'wal_level = minimal',
  'max_wal_senders = 0',
  'full_page_writes = off',
  'max_wal_size = 64MB',
  'min_wal_size = 32MB',
  'synchronous_commit = off',
];

export async function openDb(opts: DbOptions): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  // pg_trgm: the fleet search's index (migration 002); Debian's postgresql-15 ships it too.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const pg = await PGlite.create({
    extensions: { pg_trgm },
    ...(dataDir !== undefined && { dataDir }),
    parsers: { [INT8]: toNumber, [NUMERIC]: toNumber },
    postgresqlconf: PGLITE_CONF,
  });
  type Queryable = Pick<typeof pg, 'query' | 'exec'>;
  const wrap = (q: Queryable, inTx: boolean): Db => ({
    kind: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await q.query<T>(sql, params as unknown[]);
      return { rows: result.rows };
    },
    exec: async (sql: string) => {
      await q.exec(sql);
    },
    transaction: (fn) => (inTx ? fn(wrap(q, true)) : pg.transaction((tx) => fn(wrap(tx, true)))),
    listen: async (channel, onPayload) => {
      checkChannel(channel);
      const stop = await pg.listen(channel, onPayload);
      return () => stop();
    },
    close: () => (inTx ? Promise.resolve() : pg.close()),
  });
  return wrap(pg, false);
}

async function openPostgres(connectionString: string): Promise<Db> {
  const { default: pg } = await import('pg');
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8 || oid === NUMERIC
        ? toNumber
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, types, max: 8 });
  // An idle client's error (server restart) must not crash the service; the next query fails.
  pool.on('error', () => {});
  await pool.query('SELECT 1'); // fail at start, not at the first request
  type Queryable = { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }> };
  const wrap = (q: Queryable, inTx: boolean): Db => ({
    kind: 'postgres',
    query: async <T>(sql: string, params?: unknown[]) => {
      const result = await q.query(sql, params);
      return { rows: result.rows as T[] };
    },
    exec: async (sql: string) => {
      await q.query(sql);
    },
    transaction: async (fn) => {
      if (inTx) return fn(wrap(q, true));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    listen: async (channel, onPayload, onEnd) => {
      checkChannel(channel);
      // A connection of its own: a pooled one would be handed to other queries.
      const client = new pg.Client({ connectionString, types });
      let stopped = false;
      const lost = (error: Error) => {
        if (stopped) return;
        stopped = true;
        client.end().catch(() => {});
        onEnd?.(error);
      };
      client.on('error', lost);
      client.on('end', () => lost(new Error('connection ended')));
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        stopped = true;
        await client.end().catch(() => {});
        throw error;
      }
      return async () => {
        stopped = true;
        await client.end().catch(() => {});
      };
    },
    close: () => (inTx ? Promise.resolve() : pool.end()),
  });
  return wrap(pool, false);
}
