// Actions for routers that are away, through a real mosquitto: the desired state stays pending
// and the commands are kept until the router is back, and a router that never answers is
// "no reply".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOOT_A, deviceId } from '../support/documents.ts';
import { portalWithRouter, sharedRig } from '../support/portal-rig.ts';
import { OPERATOR } from '../support/test-portal.ts';
import { startRouter } from '../support/test-router.ts';
import { waitForValue } from '../support/wait-for-value.ts';

const rig = sharedRig(test);

const one = (id: string) => ({ kind: 'one', id }) as const;

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
    // (by id, not by a count: the portal may know other routers from their retained states)
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

test.run();
