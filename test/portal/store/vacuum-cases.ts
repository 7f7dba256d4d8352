// Store cases of PGlite's vacuum keeper (portal/store/pglite-vacuum.ts): PGlite runs no
// autovacuum, so without it every status update left a dead routers row behind and the table
// (and its indexes) grew without bound. On PostgreSQL the server vacuums: the keeper does nothing.
// Run by store-suite.ts on PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Db } from '../../../portal/store/db.ts';
import { vacuumKeeper } from '../../../portal/store/pglite-vacuum.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { BOOT_A, deviceId, stateDoc, statusDoc } from '../support/documents.ts';

const ROUTERS = 1000;
const ROUNDS = 12;

const totalSize = async (db: Db, table: string) =>
  (
    await db.query<{ bytes: number }>('SELECT pg_total_relation_size($1::regclass) AS bytes', [
      table,
    ])
  ).rows[0]!.bytes;

export function vacuumCases(test: Test<{ db: Db }>, now: number): void {
  test('vacuum: status updates over the same routers keep the tables bounded', async ({ db }) => {
    const keeper = vacuumKeeper(db);
    const ids = Array.from({ length: ROUTERS }, (_, i) => deviceId(50_000 + i));
    const at = (round: number) => new Date(now + round * 1000).toISOString();
    const first = await ingestBatch(db, {
      states: ids.map((id) => ({ id, doc: stateDoc(true, BOOT_A, at(0)), receivedAtMs: now })),
      statuses: ids.map((id) => ({
        id,
        doc: statusDoc({ id, reportedAt: at(0) }),
        receivedAtMs: now,
      })),
    });
    assert.is(first.written.routers, ROUTERS);
    await keeper.after(first.written);
    const vacuumed: string[] = [];
    const sizes: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const out = await ingestBatch(db, {
        states: [],
        statuses: ids.map((id) => ({
          id,
          doc: statusDoc({
            id,
            reportedAt: at(round),
            blocked: round,
            sources: [{ address: '198.51.100.23', attempts: round }],
          }),
          receivedAtMs: now + round * 1000,
        })),
      });
      assert.is(out.written.routers, ROUTERS, 'every router written');
      assert.is(out.written.router_sources, ROUTERS);
      const table = await keeper.after(out.written);
      if (table !== null) vacuumed.push(table);
      sizes.push(await totalSize(db, 'routers'));
    }
    if (db.kind === 'pglite') {
      // Without vacuum every round adds a dead copy of each row and its index entries: the
      // second half of the run doubled the size. Vacuumed, the freed space is used again.
      const half = sizes[ROUNDS / 2 - 1]!;
      const last = sizes[ROUNDS - 1]!;
      assert.ok(last <= half * 1.15, `routers grew from ${half} to ${last} bytes: ${sizes}`);
      assert.ok(vacuumed.includes('routers'), `vacuumed: ${vacuumed.join(', ')}`);
      assert.ok(vacuumed.includes('router_sources'), `vacuumed: ${vacuumed.join(', ')}`);
    } else assert.equal(vacuumed, [], 'a server runs its own autovacuum');
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM routers WHERE blocked_packets = $1',
      [ROUNDS],
    );
    assert.is(rows[0]!.n, ROUTERS, 'the latest status of every router is stored');
  });
}
