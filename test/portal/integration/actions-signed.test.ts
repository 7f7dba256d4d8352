// Signed actions through a real mosquitto to routers played by MQTT clients: the tokens verify
// with the portal's public key, replies settle requests, refused requests change nothing, and
// re-signing keeps version and content with a fresh expiry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resignDue } from '../../../portal/control/resign.ts';
import { ActionError } from '../../../portal/control/action-error.ts';
import { mqttPublisher } from '../../../portal/mqtt/publisher.ts';
import { portalWithRouter, sharedRig } from '../support/portal-rig.ts';
import { OPERATOR, PREFIX } from '../support/test-portal.ts';
import { waitForValue } from '../support/wait-for-value.ts';
import { retainedDesiredOn } from './retained-desired.ts';

const rig = sharedRig(test);
const retainedDesired = retainedDesiredOn(rig);

const one = (id: string) => ({ kind: 'one', id }) as const;

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

test.run();
