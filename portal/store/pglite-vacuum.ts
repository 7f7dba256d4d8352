// PGlite runs no autovacuum: without this, every status update leaves a dead ~1.5 KB routers row
// for ever (a 40 s run at 10,000 routers grew the table from 15 MB to 248 MB and doubled the
// batch time). Ingest reports the rows it wrote; after a batch the one table furthest past
// autovacuum's rule (portal/core/vacuum-rule.ts) is vacuumed. PGlite has one connection, so a
// vacuum blocks ingest while it runs: one table at a time keeps each pause short (about 10 ms
// at 10,000 routers). A PostgreSQL server vacuums by itself: there this does nothing.
import { mostDue } from '../core/vacuum-rule.ts';
import type { Db } from './db.ts';

/** Rows written per table (updated or inserted). */
export type RowsWritten = Readonly<Record<string, number>>;

export interface VacuumKeeper {
  /** Counts a batch's writes; vacuums the one table most due, if any. Returns its name. */
  after(written: RowsWritten): Promise<string | null>;
}

const NOTHING: VacuumKeeper = { after: () => Promise.resolve(null) };

// Table names are only ever these (never from input): they go into the VACUUM statement.
const TABLES = new Set([
  'routers',
  'blocked_hourly',
  'router_sources',
  'blocked_fleet_hourly',
  'router_search',
]);

export function vacuumKeeper(db: Db): VacuumKeeper {
  if (db.kind !== 'pglite') return NOTHING;
  const written = new Map<string, number>();
  const rows = new Map<string, number>();
  const count = async (table: string) => {
    const { rows: r } = await db.query<{ n: number }>(
      'SELECT reltuples::bigint AS n FROM pg_class WHERE oid = $1::regclass',
      [table],
    );
    rows.set(table, Math.max(0, r[0]?.n ?? 0));
  };
  return {
    async after(batch) {
      for (const [table, n] of Object.entries(batch)) {
        if (!TABLES.has(table) || n <= 0) continue;
        if (!rows.has(table)) await count(table);
        written.set(table, (written.get(table) ?? 0) + n);
      }
      const due = mostDue(
        [...written].map(([table, n]) => ({ table, written: n, rows: rows.get(table) ?? 0 })),
      );
      if (due === null) return null;
      written.set(due, 0);
      await db.exec(`VACUUM ${due}`);
      await count(due);
      return due;
    },
  };
}
