// Actions never fail open, through a real mosquitto: a signature that cannot be made publishes
// nothing and no empty payload is ever published, a wiped database never lowers a version, and
// a bulk action whose database fails in one block publishes nothing for that block.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { NO_SIGNER } from '../../../portal/signing/file-signer.ts';
import { act } from '../../../portal/control/act.ts';
import { mqttPublisher, RefusedPayload } from '../../../portal/mqtt/publisher.ts';
import { openDb, type Db } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { BOOT_A, deviceId, statusDoc } from '../support/documents.ts';
import { MemoryAudit } from '../support/memory-audit.ts';
import { portalWithRouter, sharedRig } from '../support/portal-rig.ts';
import { emptyFleet, sharedPglite } from '../support/shared-pglite.ts';
import { OPERATOR, PREFIX, startPortal } from '../support/test-portal.ts';
import { startRouter } from '../support/test-router.ts';
import { waitForValue } from '../support/wait-for-value.ts';
import { retainedDesiredOn } from './retained-desired.ts';

const rig = sharedRig(test);
const retainedDesired = retainedDesiredOn(rig);

const one = (id: string) => ({ kind: 'one', id }) as const;

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
