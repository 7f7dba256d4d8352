// A bounded scale run: 1,000 simulated routers through mosquitto and the portal (on a private
// PostgreSQL 15) for about 20 s: all of them in the portal's summary and reporting, their blocked
// attempts counted, every message they sent valid under schemas/, and a signed disable of the
// whole fleet through the portal answered by every router. Small enough for a loaded 2-core
// machine; the 10,000-router figures are measured by build/bench-sim.ts, never asserted here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEd25519PublicKey } from '../../agent/remote/public-key.ts';
import { validateMessage, type MessageKind } from '../../contract/validate.ts';
import { openDb } from '../../portal/store/db.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { startPostgresCluster } from '../portal/support/postgres-cluster.ts';
import { makeKeys, OPERATOR, startPortal, waitForValue } from '../portal/support/portal-rig.ts';
import { record, startBroker, testFleet, waitLong } from './broker.ts';

const ROUTERS = 1000;
const INTERVAL_S = 6;
const REPORTS = 2;

test(`${ROUTERS} routers through mosquitto and the portal: reports, then a fleet-wide disable`, async () => {
  const keys = await makeKeys();
  const broker = await startBroker();
  const cluster = startPostgresCluster();
  const db = await openDb({ databaseUrl: cluster.createDatabase('portal') });
  await migrate(db);
  const portal = await startPortal({
    db,
    brokerUrl: broker.url,
    signer: await keys.signer(),
    replyTimeoutMs: 60_000,
  });
  const recorder = await record(broker.url);
  const fleet = testFleet(broker.url, {
    routers: ROUTERS,
    intervalS: INTERVAL_S,
    rampS: 5,
    verifyKey: parseEd25519PublicKey(keys.publicPem),
    counts: { infected: 30, static: 50, flaky: 0, errors: 1 },
  });
  try {
    fleet.start();
    const long = <T>(what: string, check: () => Promise<T | undefined>) =>
      waitForValue(what, check, 90_000);
    await long('every router in the portal', async () => {
      const s = await portal.summary();
      return s.routers === ROUTERS && s.online === ROUTERS && s.notReporting === 0
        ? true
        : undefined;
    });
    // Keep the fleet reporting: a state and REPORTS statuses from every router, all ingested.
    await waitLong(
      'reports from every router',
      () => {
        const counts = new Map<string, number>();
        for (const m of recorder.messages)
          if (m.topic.endsWith('/status')) counts.set(m.topic, (counts.get(m.topic) ?? 0) + 1);
        return counts.size === ROUTERS && [...counts.values()].every((n) => n >= REPORTS)
          ? true
          : undefined;
      },
      90_000,
    );
    await portal.ingest.drain();
    assert.ok(portal.ingest.stats.handled >= ROUTERS * (1 + REPORTS), 'every report ingested');
    assert.is(portal.ingest.stats.invalid, 0);
    assert.is(portal.ingest.stats.failedBatches, 0);
    const summary = await portal.summary();
    assert.is(summary.disabled, 50, 'the static customers with the block off');
    assert.is(summary.driftedOrErroring, 1, 'the router whose firewall fails');
    const top = await portal.topBlocked(1, 50);
    assert.ok(top.length > 0 && top.length <= 30, `infected routers: ${top.length}`);
    assert.ok(top.every((t) => t.blocked > 0));

    // A disable of the whole fleet through the portal: signed per router, every reply matched.
    const result = await portal.act(
      { action: 'disable', target: { kind: 'all' }, reason: 'scale test' },
      OPERATOR,
    );
    assert.is(result.published, ROUTERS);
    const statuses = await long('every reply', async () => {
      const { rows } = await db.query<{ status: string; n: number }>(
        `SELECT status, count(*) AS n FROM actions GROUP BY status ORDER BY status`,
      );
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      return (by.ok ?? 0) + (by.error ?? 0) === ROUTERS ? by : undefined;
    });
    assert.equal(statuses, { error: 1, ok: ROUTERS - 1 });
    assert.is(fleet.stats.replies.get('firewall_failed'), 1);
    const versions = new Map(result.outcomes.map((o) => [o.routerId, o.version]));
    assert.ok(fleet.links.every((l) => l.model.appliedVersion === versions.get(l.model.id)));
    await long('the fleet disabled in the portal', async () =>
      (await portal.summary()).disabled === ROUTERS ? true : undefined,
    );

    const kinds: Record<string, MessageKind> = { state: 'state', status: 'status', reply: 'reply' };
    let checked = 0;
    for (const { topic, text } of recorder.messages) {
      const kind = kinds[topic.split('/').pop()!];
      if (!kind) continue;
      const { valid, errors } = validateMessage(kind, JSON.parse(text));
      assert.ok(valid, `${topic}: ${errors.join('; ')}`);
      checked++;
    }
    assert.ok(checked >= ROUTERS * (2 + REPORTS), String(checked));
  } finally {
    await fleet.stop();
    await recorder.close();
    await portal.stop();
    await db.close();
    cluster.stop();
    await broker.stop();
    keys.remove();
  }
});

test.run();
