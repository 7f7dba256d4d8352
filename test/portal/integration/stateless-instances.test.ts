// Two portal instances on one PostgreSQL 15 behind one broker need no memory of each other:
// a message taken twice (retained messages on a shared subscribe, or an instance outside the
// group) does no harm, a reply is matched whichever instance ingests it, a rollout started on
// one goes on when that one stops, and the change events of one reach the event stream of the
// other (through the database: portal/service/event-relay.ts). Routers of an earlier test stay
// online on the broker (retained state), so each test targets its own by id.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FleetEvent } from '../../../portal/core/fleet-event.ts';
import { openDb, type Db } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';
import { EVENT_CHANNEL } from '../../../portal/service/event-relay.ts';
import { BOOT_A, deviceId } from '../support/documents.ts';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.ts';
import {
  makeKeys,
  OPERATOR,
  startPortal,
  startRouter,
  startTestBroker,
  waitForValue,
  type Broker,
  type Keys,
} from '../support/portal-rig.ts';

let broker: Broker;
let keys: Keys;
let cluster: PostgresCluster;
let dbs: Db[] = [];

test.before(async () => {
  broker = await startTestBroker();
  keys = await makeKeys();
  cluster = startPostgresCluster();
  const url = cluster.createDatabase('portal');
  dbs = [await openDb({ databaseUrl: url }), await openDb({ databaseUrl: url })];
  await migrate(dbs[0]!);
});
test.after(async () => {
  for (const db of dbs) await db.close();
  cluster.stop();
  await broker.stop();
  keys.remove();
});

const empty = (db: Db) =>
  db.exec('TRUNCATE routers, rollouts, actions, blocked_hourly, router_sources CASCADE');
type Portal = Awaited<ReturnType<typeof startPortal>>;
type Router = Awaited<ReturnType<typeof startRouter>>;

async function routersFrom(first: number, count: number): Promise<Router[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      startRouter({
        id: deviceId(first + i),
        boot: BOOT_A,
        brokerUrl: broker.url,
        publicPem: keys.publicPem,
      }),
    ),
  );
}

const totalBlocked = async (p: Portal) =>
  (await p.blockedHistory(null, 2)).reduce((n, b) => n + b.blocked, 0);

/** True once the portal has every one of these routers online. */
async function allOnline(p: Portal, routers: readonly Router[]): Promise<true | undefined> {
  const known = await Promise.all(routers.map((r) => p.getRouter(r.id)));
  return known.every((r) => r?.online) ? true : undefined;
}

/** Every event an instance hands to its listeners (what its SSE stream sends). */
function eventsOf(p: Portal): FleetEvent[] {
  const events: FleetEvent[] = [];
  p.onEvent((e) => events.push(e));
  return events;
}

test('retained messages on a shared subscribe and messages taken by two instances do no harm', async () => {
  await empty(dbs[0]!);
  const signer = await keys.signer();
  const a = await startPortal({ db: dbs[0]!, brokerUrl: broker.url, signer, shareGroup: 'p' });
  // A relays its change events to the other instances (NOTIFY, after each batch): B must start
  // only once A's have gone out, or B's stream rightly shows them and they are not B's doing.
  const aEvents = eventsOf(a);
  let relayed = 0;
  const unlisten = await dbs[0]!.listen(EVENT_CHANNEL, (payload) => {
    relayed += (JSON.parse(payload) as { events: FleetEvent[] }).events.length;
  });
  const routers = await routersFrom(1, 8);
  const portals: Portal[] = [a];
  try {
    for (let round = 1; round <= 3; round++)
      await Promise.all(routers.map((r) => r.publishStatus({ blocked: round * 10 })));
    await waitForValue('all statuses in', async () => {
      await a.ingest.drain();
      return (await totalBlocked(a)) === 8 * 30 ? true : undefined;
    });
    await waitForValue('the events of A relayed', async () =>
      relayed >= aEvents.length ? true : undefined,
    );
    const before = await a.summary();
    // B joins the group: mosquitto hands it every retained state and status again.
    const b = await startPortal({ db: dbs[1]!, brokerUrl: broker.url, signer, shareGroup: 'p' });
    portals.push(b);
    const bEvents = eventsOf(b);
    await waitForValue('the retained messages at B', async () => {
      await b.ingest.drain();
      return b.ingest.stats.handled >= 16 ? true : undefined;
    });
    assert.equal(await b.summary(), before);
    assert.is(await totalBlocked(b), 8 * 30, 'counted once');
    assert.equal(
      bEvents.filter((e) => e.type === 'router'),
      [],
      'nothing changed',
    );
    // C takes every message outside the group: each status below is ingested twice at once.
    const c = await startPortal({ db: dbs[1]!, brokerUrl: broker.url, signer });
    portals.push(c);
    await waitForValue('the retained messages at C', async () => {
      await c.ingest.drain();
      return c.ingest.stats.handled >= 16 ? true : undefined;
    });
    const handledBefore = portals.map((p) => p.ingest.stats.handled);
    for (let round = 4; round <= 6; round++)
      await Promise.all(routers.map((r) => r.publishStatus({ blocked: round * 10 })));
    await waitForValue('every status at C and in the group', async () => {
      await Promise.all(portals.map((p) => p.ingest.drain()));
      const [da, db, dc] = portals.map((p, i) => p.ingest.stats.handled - handledBefore[i]!);
      return dc === 24 && da! + db! === 24 ? true : undefined;
    });
    assert.is(await totalBlocked(a), 8 * 60, 'each delta counted once');
    const again = await a.summary();
    assert.equal(again, { ...before, routers: 8, online: 8 });
  } finally {
    await unlisten();
    await Promise.all(routers.map((r) => r.stop()));
    await Promise.all(portals.map((p) => p.stop()));
  }
});

test('a reply is matched by either instance; the events of one reach the other', async () => {
  await empty(dbs[0]!);
  const signer = await keys.signer();
  const [a, b] = await Promise.all(
    dbs.map((db) => startPortal({ db, brokerUrl: broker.url, signer, shareGroup: 'p' })),
  );
  const bEvents = eventsOf(b!);
  const routers = await routersFrom(21, 12);
  const ids = routers.map((r) => r.id);
  try {
    await waitForValue('all routers', () => allOnline(a!, routers));
    // The group splits the routers' messages: B heard of every router, only part of it itself.
    await waitForValue('B heard of every router', async () => {
      const heard = new Set(bEvents.flatMap((e) => (e.type === 'router' ? [e.id] : [])));
      return ids.every((id) => heard.has(id)) ? true : undefined;
    });
    const handled = [a!.ingest.stats.handled, b!.ingest.stats.handled];
    assert.ok(handled[0]! > 0 && handled[1]! > 0, `both ingest: ${handled}`);
    // Sent by A; the replies go to A or B, whichever the broker picks.
    const result = await a!.act(
      { action: 'disable', target: { kind: 'list', ids }, reason: 'two instances' },
      OPERATOR,
    );
    assert.is(result.published, 12);
    const histories = await waitForValue('every reply matched', async () => {
      const h = await Promise.all(ids.map((id) => b!.actionHistory(id, 1)));
      return h.every((x) => x[0]?.status === 'ok') ? h : undefined;
    });
    assert.is(histories.length, 12);
    const replied = await waitForValue('B saw every reply', async () => {
      const seen = bEvents.flatMap((e) => (e.type === 'reply' ? [e.routerId] : []));
      return ids.every((id) => seen.includes(id)) ? seen : undefined;
    });
    assert.is(new Set(replied).size, 12);
    // A rollout started through A shows on B's stream.
    const rollout = await a!.startRollout(
      { action: 'enable', target: { kind: 'list', ids }, reason: 'back on', waves: [50, 100] },
      OPERATOR,
    );
    await waitForValue('the rollout on B', async () =>
      bEvents.some((e) => e.type === 'rollout' && e.rollout.id === rollout.id) ? true : undefined,
    );
  } finally {
    await Promise.all(routers.map((r) => r.stop()));
    await Promise.all([a!.stop(), b!.stop()]);
  }
});

test('a rollout started on A goes on on B after A stops', async () => {
  await empty(dbs[0]!);
  const signer = await keys.signer();
  const a = await startPortal({ db: dbs[0]!, brokerUrl: broker.url, signer, shareGroup: 'p' });
  const b = await startPortal({ db: dbs[1]!, brokerUrl: broker.url, signer, shareGroup: 'p' });
  const routers = await routersFrom(41, 10);
  let aStopped = false;
  try {
    await waitForValue('all routers', () => allOnline(b, routers));
    const started = await a.startRollout(
      {
        action: 'disable',
        target: { kind: 'list', ids: routers.map((r) => r.id) },
        reason: 'handed over',
        waves: [10, 50, 100],
      },
      OPERATOR,
    );
    await a.stop();
    aStopped = true;
    const stoppedAt = Date.now();
    const done = await waitForValue('done on B', async () => {
      const r = await b.getRollout(started.id);
      return r?.state === 'done' ? r : undefined;
    });
    assert.equal(
      done.waves.map((w) => [w.size, w.ok, w.missing]),
      [
        [1, 1, 0],
        [4, 4, 0],
        [5, 5, 0],
      ],
    );
    assert.ok(Date.parse(done.waves[2]!.startedAt!) >= stoppedAt - 5, 'the last wave sent by B');
    assert.ok(routers.every((r) => r.applied > 0));
  } finally {
    await Promise.all(routers.map((r) => r.stop()));
    await Promise.all([...(aStopped ? [] : [a.stop()]), b.stop()]);
  }
});

test.run();
