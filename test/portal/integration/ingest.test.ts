// Ingest through a real mosquitto: routers played by MQTT clients, presence with late Wills,
// invalid and oversized messages, messages taken twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { DEFAULT_QUERY } from '../../../portal/core/fleet-query.ts';
import { BOOT_A, BOOT_B, deviceId, stateDoc } from '../support/documents.ts';
import {
  PREFIX,
  portalOnEmptyFleet,
  sharedRig,
  startPortal,
  startRouter,
  waitForValue,
} from '../support/portal-rig.ts';
import { emptyFleet, sharedPglite } from '../support/shared-pglite.ts';

const rig = sharedRig(test);

test('routers appear with their state and status; a late Will of an old run is ignored', async () => {
  const { portal } = await portalOnEmptyFleet(rig);
  try {
    const routers = await Promise.all(
      [1, 2, 3].map((n) =>
        startRouter({
          id: deviceId(n),
          boot: BOOT_A,
          brokerUrl: rig.broker.url,
          publicPem: rig.keys.publicPem,
          status: { blocked: n },
        }),
      ),
    );
    await waitForValue('three routers online', async () => {
      const s = await portal.summary();
      return s.online === 3 && s.routers === 3 ? s : undefined;
    });
    // A fast reboot of router 1: the new run connects with the same client id, the broker drops
    // the old connection and publishes its Will (old boot) just before the new run's presence.
    const rebooted = await startRouter({
      id: deviceId(1),
      boot: BOOT_B,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
    });
    const r1 = await waitForValue('router 1 in its new run', async () => {
      const r = await portal.getRouter(deviceId(1));
      return r?.boot === BOOT_B && r.status?.agent.boot === BOOT_B ? r : undefined;
    });
    assert.is(r1.online, true);
    // The old Will again, late (as a second instance or a retained redelivery would bring it).
    const late = await mqtt.connectAsync(rig.broker.url, { clientId: 'late-will' });
    await late.publishAsync(
      `${PREFIX}/${deviceId(1)}/state`,
      JSON.stringify(stateDoc(false, BOOT_A, new Date().toISOString())),
      { qos: 1 },
    );
    await late.endAsync();
    await portal.ingest.drain();
    await new Promise((r) => setTimeout(r, 200));
    await portal.ingest.drain();
    assert.is(
      (await portal.getRouter(deviceId(1)))!.online,
      true,
      'the late Will did not mark it offline',
    );
    // Router 2 dies without a goodbye: its own Will marks it offline.
    await routers[1]!.crash();
    await waitForValue('router 2 offline', async () =>
      (await portal.getRouter(deviceId(2)))?.online === false ? true : undefined,
    );
    const list = await portal.listRouters({ ...DEFAULT_QUERY, online: true });
    assert.equal(
      list.items.map((r) => r.id),
      [deviceId(1), deviceId(3)],
    );
    assert.equal(
      list.items.map((r) => r.model),
      ['Linksys E8450 (UBI)', 'Linksys E8450 (UBI)'],
    );
    for (const r of [...routers, rebooted]) await r.stop().catch(() => {});
  } finally {
    await portal.stop();
  }
});

test('invalid and oversized messages are counted, logged once per router, and never stop ingest', async () => {
  const { portal } = await portalOnEmptyFleet(rig);
  try {
    const bad = await mqtt.connectAsync(rig.broker.url, { clientId: 'bad-router' });
    const topic = (id: string, kind: string) => `${PREFIX}/${id}/${kind}`;
    const evil = deviceId(66);
    for (let i = 0; i < 5; i++)
      await bad.publishAsync(topic(evil, 'status'), '{"policy": 1}', { qos: 1 });
    await bad.publishAsync(topic(evil, 'state'), 'not json', { qos: 1 });
    await bad.publishAsync(
      topic(evil, 'reply'),
      JSON.stringify({ version: 1, ok: true, extra: '<script>' }),
      { qos: 1 },
    );
    await bad.publishAsync(topic(evil, 'status'), 'x'.repeat(20_000), { qos: 1 });
    await bad.publishAsync(topic('bad id!', 'status'), '{}', { qos: 1 });
    await bad.endAsync();
    const good = await startRouter({
      id: deviceId(7),
      boot: BOOT_A,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
    });
    await waitForValue('the good router', async () =>
      (await portal.getRouter(deviceId(7)))?.status ? true : undefined,
    );
    await portal.ingest.drain();
    assert.is(portal.ingest.stats.invalid, 9);
    const lines = portal.logs.filter((l) => l.includes('invalid message'));
    assert.is(lines.filter((l) => l.includes(evil)).length, 1, lines.join('\n'));
    assert.is(await portal.getRouter(evil), null, 'nothing stored from invalid messages');
    await good.stop();
  } finally {
    await portal.stop();
  }
});

test('a message taken twice (a second subscription gets the retained ones again) is harmless', async () => {
  const db = await sharedPglite();
  await emptyFleet(db);
  const router = await startRouter({
    id: deviceId(8),
    boot: BOOT_A,
    brokerUrl: rig.broker.url,
    publicPem: rig.keys.publicPem,
    status: { blocked: 5 },
  });
  const first = await startPortal({
    db,
    brokerUrl: rig.broker.url,
    signer: await rig.keys.signer(),
  });
  await waitForValue('router 8', async () =>
    (await first.getRouter(deviceId(8)))?.status ? true : undefined,
  );
  // A second instance subscribing gets the retained state and status again.
  const second = await startPortal({
    db,
    brokerUrl: rig.broker.url,
    signer: await rig.keys.signer(),
  });
  await waitForValue('the retained ones again', async () =>
    second.ingest.stats.handled >= 2 ? true : undefined,
  );
  await second.ingest.drain();
  const history = await first.blockedHistory(deviceId(8), 2);
  assert.is(
    history.reduce((n, b) => n + b.blocked, 0),
    5,
    'counted once',
  );
  await router.stop();
  await second.stop();
  await first.stop();
});

test.run();
