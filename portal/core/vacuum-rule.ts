// When a table is due for VACUUM: autovacuum's own rule (autovacuum_vacuum_threshold 50 +
// autovacuum_vacuum_scale_factor 0.2 of the rows), for databases that run no autovacuum (PGlite).
// Rows written count as dead rows: every update leaves one behind.

export const VACUUM_THRESHOLD = 50;
export const VACUUM_SCALE_FACTOR = 0.2;

export interface TableWrites {
  readonly table: string;
  /** Rows updated or inserted since the table's last vacuum. */
  readonly written: number;
  /** The table's rows as of its last vacuum (pg_class.reltuples; 0 when never counted). */
  readonly rows: number;
}

export const vacuumLimit = (rows: number): number =>
  VACUUM_THRESHOLD + VACUUM_SCALE_FACTOR * Math.max(0, rows);

/** The table furthest past its limit, or null when none is due. One at a time keeps pauses short. */
export function mostDue(tables: readonly TableWrites[]): string | null {
  let best: string | null = null;
  let bestShare = 1;
  for (const t of tables) {
    const share = t.written / vacuumLimit(t.rows);
    if (share >= bestShare) {
      best = t.table;
      bestShare = share;
    }
  }
  return best;
}
