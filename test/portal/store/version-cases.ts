// Store cases of version allocation (router_desired, migration 004): the version rule, no version
// handed out twice under concurrent allocation, and concurrent bulk allocations over the same
// routers, whatever order their ids come in, never deadlocking on PostgreSQL (rows are taken in
// id order). Run by store-suite.ts on PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Db } from '../../../portal/store/db.ts';
import { allocateVersions } from '../../../portal/store/desired-store.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { deviceId, statusDoc } from '../support/documents.ts';

const statusOf = (id: string, now: number, version?: number) => ({
  id,
  doc: statusDoc(version === undefined ? { id } : { id, version }),
  receivedAtMs: now,
});

/** A fixed permutation of `ids` (a different one per `seed`): the order a caller gives them in. */
function shuffled(ids: readonly string[], seed: number): string[] {
  const out = [...ids];
  let x = seed * 2654435761;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function versionCases(test: Test<{ db: Db }>, now: number): void {
  test('versions: the rule, never reused, unique under concurrent allocation', async ({ db }) => {
    const id = deviceId(200);
    await ingestBatch(db, { states: [], statuses: [statusOf(id, now, now * 2)] });
    const [a] = await allocateVersions(db, [id], now);
    assert.is(a!.version, now * 2 + 1, "above the router's reported version");
    const other = deviceId(201);
    await ingestBatch(db, { states: [], statuses: [statusOf(other, now)] });
    const many = await Promise.all(
      Array.from({ length: 20 }, () => allocateVersions(db, [other, id], now)),
    );
    const versions = many
      .flat()
      .filter((x) => x.id === other)
      .map((x) => x.version);
    assert.is(new Set(versions).size, 20, 'no version handed out twice');
    assert.is(Math.min(...versions), now, 'the clock floor');
    assert.equal(await allocateVersions(db, [deviceId(999)], now), [], 'unknown routers get none');
  });

  test('versions: concurrent bulk allocations in any id order never deadlock', async ({ db }) => {
    const ids = Array.from({ length: 1200 }, (_, n) => deviceId(1000 + n));
    await ingestBatch(db, { states: [], statuses: ids.map((id) => statusOf(id, now)) });
    // First round: every row new (the insert path); second: every row there (the update path).
    for (const round of [1, 2]) {
      const callers = Array.from({ length: 6 }, (_, k) =>
        shuffled(ids, round * 10 + k).slice(0, 1000),
      );
      const results = await Promise.allSettled(callers.map((c) => allocateVersions(db, c, now)));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      assert.equal(failed, [], `round ${round}: every allocation done`);
      const got = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      assert.is(got.length, 6000);
      const perRouter = new Map<string, number[]>();
      for (const g of got) perRouter.set(g.id, [...(perRouter.get(g.id) ?? []), g.version]);
      for (const [id, versions] of perRouter)
        assert.is(new Set(versions).size, versions.length, `${id}: no version handed out twice`);
    }
  });
}
