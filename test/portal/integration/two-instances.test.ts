// Two portal instances on one PostgreSQL 15 with a shared subscription: each message handled
// once, no version handed out twice under concurrent actions. Also a staged rollout that halts
// on error replies, and is resumed by a new instance (rollouts live in the database).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDb, type Db } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';
import { BOOT_A, deviceId } from '../support/documents.ts';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import {
  OPERATOR,
  sharedRig,
  startPortal,
  startRouter,
  waitForValue,
} from '../support/portal-rig.ts';

const rig = sharedRig(test);
let cluster: PostgresCluster;
let dbs: Db[] = [];
let url: string;

test.before(async () => {
  cluster = startPostgresCluster();
  url = cluster.createDatabase('portal');
  dbs = [await openDb({ databaseUrl: url }), await openDb({ databaseUrl: url })];
  // both migrating at once: the advisory lock lets one apply, the other finds nothing to do
  const applied = await Promise.all(dbs.map((db) => migrate(db)));
  assert.is(applied[0]!.length + applied[1]!.length, applied.flat().length);
  assert.ok(applied.some((a) => a.length > 0) && applied.some((a) => a.length === 0));
});
test.after(async () => {
  for (const db of dbs) await db.close();
  cluster.stop();
});

const ROUTERS = 12;

test('a shared subscription: each message once; concurrent actions never share a version', async () => {
  const signer = await rig.keys.signer();
  const portals = await Promise.all(
    dbs.map((db) => startPortal({ db, brokerUrl: rig.broker.url, signer, shareGroup: 'portal' })),
  );
  const routers = await Promise.all(
    Array.from({ length: ROUTERS }, (_, i) =>
      startRouter({
        id: deviceId(i + 1),
        boot: BOOT_A,
        brokerUrl: rig.broker.url,
        publicPem: rig.keys.publicPem,
      }),
    ),
  );
  try {
    await waitForValue('all routers', async () =>
      (await portals[0]!.summary()).online === ROUTERS ? true : undefined,
    );
    // state + status per router so far; then 5 more statuses each
    for (let round = 0; round < 5; round++)
      await Promise.all(routers.map((r) => r.publishStatus({ blocked: round + 1 })));
    const expected = ROUTERS * 2 + ROUTERS * 5;
    await waitForValue('every message handled', async () => {
      await Promise.all(portals.map((p) => p.ingest.drain()));
      return portals[0]!.ingest.stats.handled + portals[1]!.ingest.stats.handled >= expected
        ? true
        : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    const handled = portals.map((p) => p.ingest.stats.handled);
    assert.is(handled[0]! + handled[1]!, expected, `each once: ${handled}`);
    assert.ok(handled[0]! > 0 && handled[1]! > 0, `both took a share: ${handled}`);
    const blocked = await portals[1]!.blockedHistory(null, 2);
    assert.is(
      blocked.reduce((n, b) => n + b.blocked, 0),
      ROUTERS * 5,
      'counters counted once',
    );
    // Both instances act on the whole fleet at once, three times each.
    const all = { kind: 'all' } as const;
    const results = await Promise.all(
      [0, 1, 0, 1, 0, 1].map((i, n) =>
        portals[i]!.act(
          { action: n % 2 ? 'enable' : 'disable', target: all, reason: `race ${n}` },
          OPERATOR,
        ),
      ),
    );
    for (const r of results) assert.is(r.published, ROUTERS);
    for (let i = 1; i <= ROUTERS; i++) {
      const versions = results.map(
        (r) => r.outcomes.find((o) => o.routerId === deviceId(i))!.version!,
      );
      assert.is(new Set(versions).size, versions.length, `router ${i}: ${versions}`);
    }
    const { rows } = await dbs[0]!.query<{ n: number; d: number }>(
      `SELECT count(*) AS n, count(DISTINCT (router_id, version)) AS d FROM actions WHERE kind = 'desired'`,
    );
    assert.equal(rows[0], { n: ROUTERS * 6, d: ROUTERS * 6 });
  } finally {
    await Promise.all(routers.map((r) => r.stop()));
    await Promise.all(portals.map((p) => p.stop()));
  }
});

test('a staged rollout halts on error replies, survives a restart, resumes and finishes', async () => {
  await dbs[0]!.exec(
    'TRUNCATE routers, rollouts, actions, blocked_hourly, blocked_fleet_hourly, router_sources CASCADE',
  );
  const signer = await rig.keys.signer();
  let portal = await startPortal({
    db: dbs[0]!,
    brokerUrl: rig.broker.url,
    signer,
    replyTimeoutMs: 3000,
  });
  // 20 routers (not those of the test above: their retained desired states are on the broker);
  // in id order the waves are [2], [8], [10]; the 5th and 6th (wave 2) refuse.
  const routers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      startRouter({
        id: deviceId(i + 101),
        boot: BOOT_A,
        brokerUrl: rig.broker.url,
        publicPem: rig.keys.publicPem,
        ...(i === 4 || i === 5 ? { failWith: 'firewall_failed' } : {}),
      }),
    ),
  );
  try {
    const ids = routers.map((r) => r.id);
    await waitForValue('all routers', async () => {
      const known = await Promise.all(ids.map((id) => portal.getRouter(id)));
      return known.every((r) => r?.online) ? true : undefined;
    });
    const started = await portal.startRollout(
      {
        action: 'disable',
        target: { kind: 'list', ids },
        reason: 'staged test',
        waves: [10, 50, 100],
        maxErrorShare: 0.1,
      },
      OPERATOR,
    );
    assert.equal(
      started.waves.map((w) => w.size),
      [2, 8, 10],
    );
    const halted = await waitForValue('halted', async () => {
      const r = await portal.getRollout(started.id);
      return r?.state === 'halted' ? r : undefined;
    });
    assert.match(halted.haltReason!, /wave 2: error replies 25 %/);
    assert.equal(
      halted.waves.map((w) => [w.state, w.ok, w.errors]),
      [
        ['done', 2, 0],
        ['done', 6, 2],
        ['pending', 0, 0],
      ],
    );
    assert.is(
      routers.slice(10).filter((r) => r.received.length > 0).length,
      0,
      'wave 3 never sent',
    );
    assert.ok(portal.audit.entries.some((e) => e.action === 'rollout.halt'));
    // A restart of the portal: the rollout is in the database.
    await portal.stop();
    portal = await startPortal({
      db: dbs[0]!,
      brokerUrl: rig.broker.url,
      signer,
      replyTimeoutMs: 3000,
    });
    assert.is((await portal.getRollout(started.id))!.state, 'halted');
    const resumed = await portal.controlRollout(started.id, 'resume', OPERATOR, 'errors explained');
    assert.is(resumed.state, 'running');
    const done = await waitForValue('done', async () => {
      const r = await portal.getRollout(started.id);
      return r?.state === 'done' ? r : undefined;
    });
    assert.equal(done.waves[2], {
      ...done.waves[2]!,
      state: 'done',
      ok: 10,
      errors: 0,
      missing: 0,
    });
    assert.is(routers.filter((r) => r.applied > 0).length, 18);
    let refused: unknown = null;
    await portal
      .controlRollout(started.id, 'pause', OPERATOR, 'too late')
      .catch((e: unknown) => (refused = e));
    assert.match(String(refused), /cannot pause a rollout that is done/);
  } finally {
    await Promise.all(routers.map((r) => r.stop()));
    await portal.stop();
  }
});

test.run();
