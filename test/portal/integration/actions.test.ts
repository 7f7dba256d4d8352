// Signed actions through a real mosquitto to routers played by MQTT clients: the tokens verify
// with the portal's public key; replies settle requests; offline routers, silent ones, signing
// failures; re-signing; a wiped database never lowering a version.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { NO_SIGNER } from '../../../portal/signing/file-signer.ts';
import { act } from '../../../portal/control/act.ts';
import { resignDue } from '../../../portal/control/resign.ts';
import { ActionError } from '../../../portal/control/action-error.ts';
import { mqttPublisher, RefusedPayload } from '../../../portal/mqtt/publisher.ts';
import { openDb, type Db } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { BOOT_A, deviceId, statusDoc } from '../support/documents.ts';
import {
  MemoryAudit,
  OPERATOR,
  portalWithRouter,
  PREFIX,
  sharedRig,
  startPortal,
  startRouter,
  waitForValue,
} from '../support/portal-rig.ts';
import { emptyFleet, sharedPglite } from '../support/shared-pglite.ts';

const rig = sharedRig(test);

const one = (id: string) => ({ kind: 'one', id }) as const;

async function retainedDesired(id: string): Promise<string | null> {
  const c = await mqtt.connectAsync(rig.broker.url, { clientId: `peek-${Date.now()}` });
  const got = new Promise<string | null>((resolve) => {
    c.on('message', (_t, payload) => resolve(payload.toString()));
    setTimeout(() => resolve(null), 500);
  });
  await c.subscribeAsync(`${PREFIX}/${id}/desired`, { qos: 1 });
  const value = await got;
  await c.endAsync();
  return value;
}

test('disable then enable: signed, retained, verified by the router, replies recorded', async () => {
  const { id, portal, router, stop } = await portalWithRouter(rig, 1);
  try {
    const off = await portal.act(
      { action: 'disable', target: one(id), reason: 'customer asked' },
      OPERATOR,
    );
    assert.equal([off.published, off.failed], [1, 0]);
    const v1 = off.outcomes[0]!.version!;
    await waitForValue('reply ok', async () =>
      (await portal.actionHistory(id, 1))[0]?.status === 'ok' ? true : undefined,
    );
    const got = router.received.find((r) => r.claims.version === v1)!;
    assert.ok(
      got.claims.enabled === false && got.claims.sub === id && typeof got.claims.exp === 'number',
    );
    await waitForValue('status shows it', async () =>
      (await portal.getRouter(id))?.enabled === false ? true : undefined,
    );
    const on = await portal.act({ action: 'enable', target: one(id), reason: 'back on' }, OPERATOR);
    const v2 = on.outcomes[0]!.version!;
    assert.ok(v2 > v1, 'versions only go up');
    await waitForValue('enabled', async () =>
      (await portal.getRouter(id))?.enabled === true ? true : undefined,
    );
    assert.is(router.applied, v2);
    assert.is(
      await retainedDesired(id),
      router.received.find((r) => r.claims.version === v2)!.token,
      'retained on the broker',
    );
    const verify = await portal.act(
      { action: 'verify', target: one(id), reason: 'check' },
      OPERATOR,
    );
    assert.is(verify.published, 1);
    const record = await waitForValue('verify reply', async () => {
      const [r] = await portal.actionHistory(id, 1);
      return r?.status === 'ok' ? r : undefined;
    });
    assert.equal(record.reply, {
      id: record.commandId,
      ok: true,
      result: { applied: true, drift: [] },
    });
    assert.equal(
      portal.audit.entries.map((e) => [e.operator, e.action, e.reason, e.outcome]),
      [
        ['alice', 'disable', 'customer asked', 'published 1 of 1'],
        ['alice', 'enable', 'back on', 'published 1 of 1'],
        ['alice', 'verify', 'check', 'published 1 of 1'],
      ],
    );
  } finally {
    await stop();
  }
});

test('refused requests change nothing: viewer, no reason, bad policy, unknown router', async () => {
  const { db, id, portal, router, stop } = await portalWithRouter(rig, 2);
  try {
    const refused = async (p: Promise<unknown>) => {
      try {
        await p;
        return null;
      } catch (error) {
        assert.instance(error, ActionError);
        return (error as ActionError).code;
      }
    };
    assert.is(
      await refused(
        portal.act(
          { action: 'disable', target: one(id), reason: 'x' },
          { name: 'v', role: 'viewer' },
        ),
      ),
      'forbidden',
    );
    assert.is(
      await refused(portal.act({ action: 'disable', target: one(id), reason: '  ' }, OPERATOR)),
      'reason_required',
    );
    assert.is(
      await refused(
        portal.act(
          { action: 'policy', target: one(id), reason: 'x', policy: { allow: ['0.0.0.0/0'] } },
          OPERATOR,
        ),
      ),
      'invalid_policy',
    );
    assert.is(
      await refused(portal.act({ action: 'disable', target: one('nope'), reason: 'x' }, OPERATOR)),
      'no_targets',
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(router.received, []);
    assert.equal(await portal.actionHistory(id, 10), []);
    const { rows } = await db.query('SELECT last_version FROM router_desired WHERE id = $1', [id]);
    assert.equal(rows, [], 'no version allocated');
  } finally {
    await stop();
  }
});

test('a signature that cannot be made publishes nothing; an empty payload is never published', async () => {
  const { db, id, portal: good, stop } = await portalWithRouter(rig, 3);
  try {
    await good.act({ action: 'disable', target: one(id), reason: 'first' }, OPERATOR);
    const before = await waitForValue('retained', () =>
      retainedDesired(id).then((t) => t ?? undefined),
    );
    await good.stop();
    const unsigned = await startPortal({ db, brokerUrl: rig.broker.url, signer: NO_SIGNER });
    try {
      const result = await unsigned.act(
        { action: 'enable', target: one(id), reason: 'no key' },
        OPERATOR,
      );
      assert.equal([result.published, result.failed], [0, 1]);
      assert.match(result.outcomes[0]!.error!, /not signed: no signing key/);
      assert.is(await retainedDesired(id), before, 'the retained desired state is untouched');
      const client = await mqtt.connectAsync(rig.broker.url, { clientId: 'raw-publisher' });
      const publisher = mqttPublisher(client);
      for (const payload of ['', '{"version":1,"enabled":false}']) {
        const error = await publisher.publish(`${PREFIX}/${id}/desired`, payload, true).then(
          () => null,
          (e: unknown) => e,
        );
        assert.instance(error, RefusedPayload);
      }
      await client.endAsync();
      assert.is(await retainedDesired(id), before);
    } finally {
      await unsigned.stop();
    }
  } finally {
    await stop();
  }
});

test('offline routers: desired pending until it comes back, commands kept and sent then; silence is "no reply"', async () => {
  const {
    id,
    portal,
    router: first,
    stop,
  } = await portalWithRouter(rig, 4, { portal: { replyTimeoutMs: 800 } });
  const quiet = deviceId(5);
  try {
    const silent = await startRouter({
      id: quiet,
      boot: BOOT_A,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
      silent: true,
    });
    // (by id: earlier tests' routers stopped cleanly and their retained states say online)
    await waitForValue('the silent one known', async () =>
      (await portal.getRouter(quiet))?.online ? true : undefined,
    );
    await first.crash();
    await waitForValue('offline', async () =>
      (await portal.getRouter(id))?.online === false ? true : undefined,
    );
    const d = await portal.act(
      { action: 'disable', target: one(id), reason: 'while away' },
      OPERATOR,
    );
    const c = await portal.act(
      { action: 'report', target: one(id), reason: 'while away' },
      OPERATOR,
    );
    assert.equal([d.published, c.pending], [1, 1]);
    assert.equal(
      (await portal.actionHistory(id, 5)).map((a) => a.status),
      ['pending: router offline', 'pending: router offline'],
    );
    await portal.act({ action: 'disable', target: one(quiet), reason: 'silent one' }, OPERATOR);
    const back = await startRouter({
      id,
      boot: BOOT_A,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
    });
    const statuses = await waitForValue('both answered', async () => {
      const h = await portal.actionHistory(id, 5);
      return h.every((a) => a.status === 'ok') ? h.map((a) => a.kind) : undefined;
    });
    assert.equal(statuses, ['command', 'desired']);
    assert.ok(
      back.received.some((r) => r.kind === 'cmd' && r.claims.op === 'report'),
      'the kept command was sent',
    );
    const silentRecord = await waitForValue('no reply', async () => {
      const [r] = await portal.actionHistory(quiet, 1);
      return r?.status === 'no reply' ? r : undefined;
    });
    assert.is(silentRecord.reply, null);
    await back.stop();
    await silent.stop();
  } finally {
    await stop();
  }
});

test('re-signing keeps the version and content with a fresh expiry; the router says already applied', async () => {
  const signer = await rig.keys.signer();
  const { db, id, portal, router, stop } = await portalWithRouter(rig, 6, {
    portal: { signer, desiredTtlS: 3600 },
  });
  try {
    const v = (await portal.act({ action: 'disable', target: one(id), reason: 'x' }, OPERATOR))
      .outcomes[0]!.version!;
    await waitForValue('applied', async () => (router.applied === v ? true : undefined));
    const before = router.received.length;
    await new Promise((r) => setTimeout(r, 1100)); // a different iat
    const deps = {
      db,
      signer,
      publisher: mqttPublisher(router.client),
      audit: portal.audit,
      prefix: PREFIX,
      desiredTtlS: 7200,
      clock: () => ({ nowMs: Date.now(), notReportingAfterMs: 600_000 }),
    };
    const n = await resignDue(deps, 86400);
    assert.is(n, 1);
    const again = await waitForValue('re-signed token', async () => router.received[before]);
    assert.is(again.claims.version, v);
    assert.is(again.claims.enabled, false);
    assert.ok((again.claims.exp as number) > (router.received[before - 1]!.claims.exp as number));
    assert.is(router.applied, v);
    assert.is(await resignDue(deps, 60), 0, 'nothing due');
  } finally {
    await stop();
  }
});

test('a wiped database never lowers a version', async () => {
  const id = deviceId(7);
  const router = await startRouter({
    id,
    boot: BOOT_A,
    brokerUrl: rig.broker.url,
    publicPem: rig.keys.publicPem,
  });
  let applied = 0;
  try {
    for (const round of [1, 2]) {
      const db = await openDb({});
      await migrate(db);
      const portal = await startPortal({
        db,
        brokerUrl: rig.broker.url,
        signer: await rig.keys.signer(),
      });
      try {
        await waitForValue('router known from its retained status', async () =>
          (await portal.getRouter(id))?.online ? true : undefined,
        );
        const result = await portal.act(
          { action: round === 1 ? 'disable' : 'enable', target: one(id), reason: `round ${round}` },
          OPERATOR,
        );
        const v = result.outcomes[0]!.version!;
        assert.ok(v > applied, `round ${round}: ${v} > ${applied}`);
        await waitForValue('applied', async () => (router.applied === v ? true : undefined));
        applied = v;
      } finally {
        await portal.stop();
        await db.close();
      }
    }
  } finally {
    await router.stop();
  }
});

test('a bulk action whose database fails in one block: the others go on and are audited, that block publishes nothing', async () => {
  const db = await sharedPglite();
  await emptyFleet(db);
  const ids = Array.from({ length: 1200 }, (_, i) => deviceId(0x5000 + i));
  const now = Date.now();
  await ingestBatch(db, {
    states: [],
    statuses: ids.map((id) => ({ id, doc: statusDoc({ id }), receivedAtMs: now })),
  });
  // The second block's record of its requests fails (the first statement of its kind succeeds).
  let inserts = 0;
  const failing: Db = {
    ...db,
    query: (sql, params) => {
      if (sql.includes('INSERT INTO actions') && ++inserts === 2)
        return Promise.reject(new Error('database gone'));
      return db.query(sql, params);
    },
  };
  const client = await mqtt.connectAsync(rig.broker.url, { clientId: `bulk-${Date.now()}` });
  const audit = new MemoryAudit();
  try {
    const error = await act(
      {
        db: failing,
        signer: await rig.keys.signer(),
        publisher: mqttPublisher(client),
        audit,
        prefix: PREFIX,
        desiredTtlS: 86400,
        clock: () => ({ nowMs: Date.now(), notReportingAfterMs: 600_000 }),
      },
      { action: 'disable', target: { kind: 'all' }, reason: 'bulk' },
      OPERATOR,
    ).then(
      () => null,
      (e: unknown) => e,
    );
    assert.match((error as Error).message, 'database gone');
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM router_desired WHERE desired_version IS NOT NULL',
    );
    const published = rows[0]!.n;
    assert.ok(published > 0 && published < ids.length && published % 100 === 0, `${published}`);
    const recorded = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM actions');
    assert.is(recorded.rows[0]!.n, published, 'each published request recorded, no other');
    assert.is(audit.entries.length, 1);
    assert.is(
      audit.entries[0]!.outcome,
      `published ${published} of ${ids.length}; stopped: database gone`,
    );
    assert.is(audit.entries[0]!.routers.length, ids.length, 'every router targeted');
    assert.is(audit.entries[0]!.reason, 'bulk');
    assert.is(audit.entries[0]!.operator, OPERATOR.name);
    // The failed block's routers had versions allocated (never handed out again) but got nothing.
    const missed = await db.query<{ id: string }>(
      `SELECT id FROM router_desired WHERE desired_version IS NULL ORDER BY id`,
    );
    assert.is(missed.rows.length, ids.length - published);
    assert.is(await retainedDesired(missed.rows[0]!.id), null, 'nothing published to it');
  } finally {
    await client.endAsync();
    await emptyFleet(db);
  }
});

test.run();
