// Store cases of presence and boot history (migration 003): presence times on the portal's
// clock, each ended run with how it ended, messages taken twice, the last 50 kept, paging, and a
// malformed time that must not fail a batch. Run by store-suite.ts on PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StateDoc } from '../../../contract/message-types.ts';
import { BOOTS_KEPT } from '../../../portal/core/router-views.ts';
import { bootHistory } from '../../../portal/store/boot-history.ts';
import type { Db } from '../../../portal/store/db.ts';
import { routerDetail } from '../../../portal/store/fleet-queries.ts';
import { ingestBatch, type RouterMessage } from '../../../portal/store/router-ingest.ts';
import { BOOT_A, BOOT_B, deviceId, stateDoc, statusDoc } from '../support/documents.ts';

const S = 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const bootOf = (n: number) => n.toString(16).padStart(16, '0');

export function bootHistoryCases(test: Test<{ db: Db }>, now: number): void {
  const clock = { nowMs: now, notReportingAfterMs: 600_000 };
  const t0 = now - 3_600_000;
  const at = (s: number) => t0 + s * S;
  // A state document made at `madeS` (router clock) and received at `gotS` (portal clock).
  const state = (
    id: string,
    online: boolean,
    boot: string,
    madeS: number,
    gotS: number,
  ): RouterMessage<StateDoc> => ({
    id,
    doc: stateDoc(online, boot, iso(at(madeS))),
    receivedAtMs: at(gotS),
  });
  // The cases' helpers over one test's database.
  const over = (db: Db) => ({
    states: (...messages: RouterMessage<StateDoc>[]) =>
      ingestBatch(db, { states: messages, statuses: [] }),
    presence: async (id: string) => {
      const r = (await routerDetail(db, id, clock))!;
      return [r.online, r.boot, r.presenceSince, r.bootSeenAt];
    },
    history: (id: string, limit = BOOTS_KEPT, offset = 0) => bootHistory(db, id, limit, offset),
    /** The kept runs as [boot, agent version, first seen, ended, how]. */
    runs: async (id: string) =>
      (await bootHistory(db, id, BOOTS_KEPT, 0)).items.map((b) => [
        b.boot,
        b.agentVersion,
        b.firstSeen,
        b.endedAt,
        b.endedBy,
      ]),
  });

  test('presence times follow online, offline and a new run; each ended run is kept', async ({
    db,
  }) => {
    const { states, presence, history, runs } = over(db);
    const id = deviceId(70);
    // Run A: its Will is made at connecting (0 s), its online document after the SUBACK (1 s).
    await states(state(id, true, BOOT_A, 1, 10));
    assert.equal(await presence(id), [true, BOOT_A, iso(at(10)), iso(at(10))]);
    // A status does not move presence.
    await ingestBatch(db, {
      states: [],
      statuses: [{ id, doc: statusDoc({ id, reportedAt: iso(at(20)) }), receivedAtMs: at(20) }],
    });
    assert.is((await presence(id))[2], iso(at(10)));
    // The broker publishes A's Will (made at 0 s) at 100 s; B comes online at 160 s.
    await states(state(id, false, BOOT_A, 0, 100));
    assert.equal(await presence(id), [false, BOOT_A, iso(at(100)), iso(at(10))]);
    assert.equal(await history(id), { items: [], total: 0 });
    await states(state(id, true, BOOT_B, 150, 160));
    assert.equal(await presence(id), [true, BOOT_B, iso(at(160)), iso(at(160))]);
    assert.equal(await runs(id), [[BOOT_A, '0.1.0', iso(at(10)), iso(at(100)), 'lost']]);
    // B drops and reconnects (same run): presence moves, no run ended.
    await states(state(id, false, BOOT_B, 155, 200));
    await states(state(id, true, BOOT_B, 210, 211));
    assert.equal(await presence(id), [true, BOOT_B, iso(at(211)), iso(at(160))]);
    // B stops cleanly: its goodbye is made after its online document. Then run C.
    await states(state(id, false, BOOT_B, 300, 301));
    await states(state(id, true, bootOf(3), 400, 401));
    assert.equal(await runs(id), [
      [BOOT_B, '0.1.0', iso(at(160)), iso(at(301)), 'stopped'],
      [BOOT_A, '0.1.0', iso(at(10)), iso(at(100)), 'lost'],
    ]);
  });

  test('a restart seen in one batch ends the run as replaced; messages taken twice change nothing', async ({
    db,
  }) => {
    const { states, presence, history, runs } = over(db);
    const id = deviceId(71);
    await states(state(id, true, BOOT_A, 1, 10));
    // A fast reboot: the Will of A and the online document of B in the same batch, and the
    // same batch delivered again (a shared subscription after a reconnect).
    const reboot = [state(id, false, BOOT_A, 0, 50), state(id, true, BOOT_B, 49, 51)];
    await states(...reboot, ...reboot);
    await states(...reboot);
    assert.equal(await presence(id), [true, BOOT_B, iso(at(51)), iso(at(51))]);
    assert.equal(await runs(id), [[BOOT_A, '0.1.0', iso(at(10)), iso(at(51)), 'replaced']]);
    // The late Will of A, again: the boot-id rule ignores it.
    await states(state(id, false, BOOT_A, 0, 90));
    assert.is((await presence(id))[0], true);
    assert.is((await history(id)).total, 1);
  });

  test('presence is unknown until a state comes; a status alone does not start it', async ({
    db,
  }) => {
    const { states, presence, history } = over(db);
    const id = deviceId(72);
    await ingestBatch(db, {
      states: [],
      statuses: [{ id, doc: statusDoc({ id }), receivedAtMs: at(5) }],
    });
    assert.equal(await presence(id), [false, null, null, null]);
    await states(state(id, true, BOOT_A, 6, 7));
    assert.equal(await presence(id), [true, BOOT_A, iso(at(7)), iso(at(7))]);
    assert.equal(await history(id), { items: [], total: 0 });
  });

  test(`the last ${BOOTS_KEPT} runs are kept, newest first, in pages`, async ({ db }) => {
    const { states, history } = over(db);
    const id = deviceId(73);
    const ended = BOOTS_KEPT + 5;
    // Run n comes online at 10n s and goes offline (its Will) at 10n + 5 s; run n + 1 follows.
    for (let n = 1; n <= ended + 1; n++) {
      await states(state(id, true, bootOf(n), 10 * n, 10 * n));
      if (n <= ended) await states(state(id, false, bootOf(n), 10 * n - 1, 10 * n + 5));
    }
    const all = await history(id);
    assert.is(all.total, BOOTS_KEPT);
    assert.equal(
      all.items.map((b) => b.boot),
      Array.from({ length: BOOTS_KEPT }, (_, i) => bootOf(ended - i)),
    );
    assert.ok(all.items.every((b) => b.endedBy === 'lost'));
    assert.is(all.items[0]!.endedAt, iso(at(10 * ended + 5)));
    assert.is(all.items[0]!.firstSeen, iso(at(10 * ended)));
    const page = await history(id, 20, 40);
    assert.is(page.total, BOOTS_KEPT);
    assert.equal(
      page.items.map((b) => b.boot),
      all.items.slice(40).map((b) => b.boot),
    );
    assert.equal(await history(id, 10, BOOTS_KEPT), { items: [], total: BOOTS_KEPT });
    assert.equal(await history(deviceId(74)), { items: [], total: 0 });
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*) AS n FROM router_boots WHERE router_id = $1',
      [id],
    );
    assert.is(rows[0]!.n, BOOTS_KEPT);
  });

  test('an offline document whose time does not read ends the run as offline, batch intact', async ({
    db,
  }) => {
    const { states, presence, runs } = over(db);
    const id = deviceId(75);
    await states(state(id, true, BOOT_A, 1, 10));
    // Written past ingest (which only stores schema-valid documents): the trigger must cope.
    await db.query(
      `UPDATE routers SET online = false, state = jsonb_set(state, '{at}', '"not a time"')
        WHERE id = $1`,
      [id],
    );
    await states(state(id, true, BOOT_B, 20, 20));
    // Ended when it went offline: by that UPDATE, at the row's last_seen (10 s).
    assert.equal(await runs(id), [[BOOT_A, '0.1.0', iso(at(10)), iso(at(10)), 'offline']]);
    assert.is((await presence(id))[1], BOOT_B);
  });
}
