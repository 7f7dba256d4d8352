// A bounded scale run: a few hundred routers in one process against mosquitto connect, report
// and answer a signed rollout. Small enough for a loaded 2-core machine; the 10,000-router
// figures are measured by build/bench-sim.ts, never asserted here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { topicsFor } from '../../contract/topics.ts';
import { validateMessage, type MessageKind } from '../../contract/validate.ts';
import { makeIsp } from '../unit/remote/tokens.ts';
import { record, startBroker, testFleet, waitLong } from './broker.ts';

const ROUTERS = 300;

test(`${ROUTERS} routers connect, report twice and answer a signed disable`, async () => {
  const isp = await makeIsp();
  const broker = await startBroker();
  const recorder = await record(broker.url);
  const fleet = testFleet(broker.url, {
    routers: ROUTERS,
    intervalS: 4,
    rampS: 3,
    verifyKey: isp.publicKey,
    counts: { infected: 9, static: 15, flaky: 0, errors: 1 },
  });
  try {
    fleet.start();
    await waitLong('all online', () => (fleet.stats.online === ROUTERS ? true : undefined), 40_000);
    assert.ok(fleet.stats.allConnectedMs !== null);
    const reports = new Map<string, number>();
    await waitLong(
      'two reports from every router',
      () => {
        reports.clear();
        for (const m of recorder.messages)
          if (m.topic.endsWith('/status')) reports.set(m.topic, (reports.get(m.topic) ?? 0) + 1);
        return reports.size === ROUTERS && [...reports.values()].every((n) => n >= 2)
          ? true
          : undefined;
      },
      40_000,
    );
    // A disable for every router, each signed for its own device id.
    const version = Math.floor(Date.now() / 1000);
    const exp = version + 600;
    for (const link of fleet.links) {
      const token = await isp.sign({ version, enabled: false }, { sub: link.model.id, exp });
      await recorder.publish(topicsFor('op25b/v1', link.model.id).desired, token, true);
    }
    const okReplies = () =>
      recorder.documents('reply').filter((r) => r.version === version && r.ok === true).length;
    // The error router answers firewall_failed: the state is stored but the apply "failed".
    await waitLong('every reply', () => (okReplies() === ROUTERS - 1 ? true : undefined), 40_000);
    assert.is(fleet.stats.replies.get('firewall_failed'), 1);
    assert.ok(fleet.links.every((l) => l.model.appliedVersion === version));
    const kinds: Record<string, MessageKind> = { state: 'state', status: 'status', reply: 'reply' };
    let checked = 0;
    for (const { topic, text } of recorder.messages) {
      const kind = kinds[topic.split('/').pop()!];
      if (!kind) continue;
      const { valid, errors } = validateMessage(kind, JSON.parse(text));
      assert.ok(valid, `${topic}: ${errors.join('; ')}`);
      checked++;
    }
    assert.ok(checked >= ROUTERS * 4, String(checked));
  } finally {
    await fleet.stop();
    await recorder.close();
    await broker.stop();
  }
});

test.run();
