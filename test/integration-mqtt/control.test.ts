// The ISP controls the router over a real mosquitto (TLS with client certificates, passwords;
// the per-router ACL is control-acl.test.ts) in the wan namespace; the agent's daemon runs in the
// router namespace. Every
// change is checked in the kernel (connections, ruleset) and on flash (desired.json), not only
// in the agent's replies.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, PLAN, type MqttMessage, type RulesetSnapshot } from '../testbed/index.ts';
import { BAD_MESSAGES } from './bad-messages.ts';
import type { Agent } from './create-rig.ts';
import { desiredFile, desiredFileStamp } from './flash.ts';
import {
  nextPresence,
  nextStatus,
  parse,
  request,
  retainedOf,
  type Reply,
  type StatusDocument,
} from './messages.ts';
import { agentRulesPresent, expectSameRuleset } from './ruleset.ts';
import { suiteRig } from './suite-rig.ts';
import { ROUTER, T } from './topics.ts';
import { expectBlock } from './traffic.ts';
import { WAIT_MS, waitUntil } from './waits.ts';
import { expectMessagesMatchSchemas } from './schemas.ts';

const test = suite('mqtt: ISP control (nftables, MQTT 5 over TLS)');
let agent: Agent | null = null;
let boot = '';
/** The router's ruleset before the agent ever ran (fw4 stand-in only). */
let baseline: RulesetSnapshot | null = null;

const theRig = suiteRig(test, { backend: BACKENDS.nftables });
const theAgent = (): Agent => {
  if (agent) return agent;
  throw new Error('the agent did not start (see the first test)');
};

test('a retained desired state is applied on connect; presence and status are published', async () => {
  const r = theRig();
  await expectBlock(r, false); // the config's own policy is off
  baseline = await r.bed.snapshot();
  assert.not.ok(agentRulesPresent(baseline));
  const published = await r.isp.publish(T.desired, JSON.stringify({ version: 1, enabled: true }), {
    retain: true,
  });
  assert.ok(published.ok, JSON.stringify(published));
  const from = r.isp.messages.length;
  agent = await r.startAgent(r.config(ROUTER, { policy: { enabled: false } }));
  const reply = await r.isp.waitMessage((m) => m.topic === T.reply, WAIT_MS, from, 'reply v1');
  assert.equal(parse(reply), { version: 1, ok: true });
  const presence = await nextPresence(r, from, (p) => p.online);
  assert.match(presence.boot, /^[0-9a-f]{16}$/);
  boot = presence.boot;
  await expectBlock(r, true);
  assert.equal(JSON.parse(desiredFile(theAgent()) ?? 'null'), { version: 1, enabled: true });
  const status = await nextStatus(r, from, (s) => s.policy.version === 1);
  assert.equal(status.policy.enabled, true);
  assert.is(status.policy.source, 'remote');
  assert.is(status.enforcement.applied, true);
  assert.is(status.enforcement.backend, 'nftables');
  assert.is(status.device.id, ROUTER);
  assert.is(status.agent.boot, boot);
  assert.is(status.agent.daemon, true);
  // Both stay on the broker for whoever subscribes later.
  const retainedState = await retainedOf(r, T.state);
  assert.ok(retainedState, 'no retained presence');
  assert.equal(
    { ...JSON.parse(retainedState!), at: null, agent_version: null },
    { online: true, boot, at: null, agent_version: null },
  );
  const retainedStatus = await retainedOf(r, T.status);
  assert.ok(retainedStatus, 'no retained status');
  assert.is((JSON.parse(retainedStatus!) as StatusDocument).policy.version, 1);
});

test('enable/disable round trips: each reply is followed by the kernel and desired.json', async () => {
  const r = theRig();
  const a = theAgent();
  let from = r.isp.messages.length;
  let reply = await request(r, T.desired, JSON.stringify({ version: 2, enabled: false }), {
    retain: true,
  });
  assert.equal(reply, { version: 2, ok: true });
  await expectBlock(r, false);
  // Off means the agent's rules are gone: the ruleset is the one from before the agent.
  expectSameRuleset(baseline!, await r.bed.snapshot(), 'disabled');
  assert.equal(JSON.parse(desiredFile(a)!), { version: 2, enabled: false });
  let status = await nextStatus(r, from, (s) => s.policy.version === 2);
  assert.is(status.policy.enabled, false);

  from = r.isp.messages.length;
  reply = await request(
    r,
    T.desired,
    JSON.stringify({ version: 3, enabled: true, ports: [25, 587] }),
    { retain: true },
  );
  assert.equal(reply, { version: 3, ok: true });
  await expectBlock(r, true, [25, 587]);
  assert.equal(JSON.parse(desiredFile(a)!), { version: 3, enabled: true, ports: [25, 587] });
  status = await nextStatus(r, from, (s) => s.policy.version === 3);
  assert.equal(status.policy.ports, [25, 587]);

  reply = await request(r, T.desired, JSON.stringify({ version: 4, enabled: true }), {
    retain: true,
  });
  assert.equal(reply, { version: 4, ok: true });
  await expectBlock(r, true);
  assert.equal(JSON.parse(desiredFile(a)!), { version: 4, enabled: true });
});

test('the same version again: ok with a note; other content under it: refused; nothing rewritten', async () => {
  const r = theRig();
  const a = theAgent();
  const before = await r.bed.snapshot();
  const stamp = desiredFileStamp(a);
  const same = await request(r, T.desired, JSON.stringify({ version: 4, enabled: true }));
  assert.is(same.ok, true);
  assert.is(same.version, 4);
  assert.ok(
    typeof same.note === 'string' && same.note.length > 0,
    `no note: ${JSON.stringify(same)}`,
  );
  const conflict = await request(r, T.desired, JSON.stringify({ version: 4, enabled: false }));
  assert.is(conflict.ok, false);
  assert.is(conflict.error?.code, 'version_conflict');
  expectSameRuleset(before, await r.bed.snapshot(), 'equal version');
  assert.is(desiredFileStamp(a), stamp, 'desired.json was rewritten');
});

test('rejected messages get the right error code and change nothing in the kernel or on flash', async () => {
  const r = theRig();
  const a = theAgent();
  const before = await r.bed.snapshot();
  const stamp = desiredFileStamp(a);
  const problems: string[] = [];
  for (const bad of BAD_MESSAGES) {
    const topic = bad.topic === 'desired' ? T.desired : T.cmd;
    const from = r.isp.messages.length;
    const published =
      typeof bad.payload === 'string'
        ? await r.isp.publish(topic, bad.payload)
        : await r.isp.publishFilled(topic, bad.payload.size);
    assert.ok(published.ok, `${bad.label}: publish failed ${JSON.stringify(published)}`);
    const message = await r.isp.waitMessage((m) => m.topic === T.reply, WAIT_MS, from, bad.label);
    const reply = parse<Record<string, unknown>>(message);
    const echoKey = bad.topic === 'desired' ? 'version' : 'id';
    const error = reply.error as { code?: unknown; message?: unknown } | undefined;
    if (reply.ok !== false || error?.code !== bad.code || typeof error.message !== 'string')
      problems.push(`${bad.label}: expected error ${bad.code}, got ${message.payload}`);
    else if (reply[echoKey] !== bad.echo)
      problems.push(`${bad.label}: expected ${echoKey} ${bad.echo}, got ${message.payload}`);
    expectSameRuleset(before, await r.bed.snapshot(), bad.label);
    if (desiredFileStamp(a) !== stamp) problems.push(`${bad.label}: desired.json was rewritten`);
  }
  assert.ok(problems.length === 0, problems.join('\n'));
  await expectBlock(r, true);
  assert.ok(a.daemon.running(), 'the daemon died');
  // The last error is in the status too.
  const from = r.isp.messages.length;
  await r.isp.publish(T.desired, '{"version":5,"enabled":false,"bogus":1}');
  const status = await nextStatus(r, from, (s) => s.last_error?.code === 'unknown_field');
  assert.is(status.policy.version, 4);
});

test('commands: report, verify and reapply are answered; a repeated command id is refused', async () => {
  const r = theRig();
  const before = await r.bed.snapshot();
  let from = r.isp.messages.length;
  const report = await request(r, T.cmd, JSON.stringify({ id: 'c-1', op: 'report' }));
  assert.equal(report, { id: 'c-1', ok: true });
  // The probes so far were blocked attempts: the status counts them, by LAN source.
  const counted = await nextStatus(r, from, (s) => s.policy.version === 4, WAIT_MS);
  assert.ok(counted.counters.blocked_packets > 0, JSON.stringify(counted.counters));
  const sources = counted.counters.top_sources.map((s) => s.address);
  assert.ok(
    sources.includes(PLAN.lan1.host.ipv4) && sources.includes(PLAN.lan1.host.ipv6),
    `top_sources: ${JSON.stringify(sources)}`,
  );
  const verify = await request(r, T.cmd, JSON.stringify({ id: 'c-2', op: 'verify' }));
  assert.equal(verify, { id: 'c-2', ok: true, result: { applied: true, drift: [] } });
  from = r.isp.messages.length;
  const reapply = await request(r, T.cmd, JSON.stringify({ id: 'c-3', op: 'reapply' }));
  assert.equal(reapply, { id: 'c-3', ok: true });
  expectSameRuleset(before, await r.bed.snapshot(), 'reapply');
  const again = await request(r, T.cmd, JSON.stringify({ id: 'c-2', op: 'verify' }));
  assert.is(again.ok, false);
  assert.is(again.id, 'c-2');
  assert.is(again.error?.code, 'replayed');
});

test('two desired states back to back: the newer version wins, the older one is stale', async () => {
  const r = theRig();
  const a = theAgent();
  const from = r.isp.messages.length;
  try {
    // QoS 1 from one client keeps the order: v11 reaches the agent before v10.
    const newer = r.isp.publish(T.desired, JSON.stringify({ version: 11, enabled: false }), {
      retain: true,
    });
    const older = r.isp.publish(T.desired, JSON.stringify({ version: 10, enabled: true }));
    assert.ok((await newer).ok && (await older).ok, 'publish failed');
    const replies = (): MqttMessage[] =>
      r.isp.messages.slice(from).filter((m) => m.topic === T.reply);
    await waitUntil('two replies', () => (replies().length >= 2 ? true : undefined));
    const got = replies().map((m) => parse<Reply>(m));
    assert.equal(
      got.find((g) => g.version === 11),
      { version: 11, ok: true },
    );
    const v10 = got.find((g) => g.version === 10);
    assert.ok(
      v10?.ok === false && v10.error?.code === 'stale_version',
      `v10 arrived after v11 and must be refused as stale_version; replies: ${JSON.stringify(got)}`,
    );
    assert.equal(JSON.parse(desiredFile(a)!), { version: 11, enabled: false });
    await expectBlock(r, false);
  } finally {
    // Back on for the tests that follow, whatever happened above.
    const on = await request(r, T.desired, JSON.stringify({ version: 12, enabled: true }), {
      retain: true,
    });
    assert.equal(on, { version: 12, ok: true });
    await expectBlock(r, true);
  }
});

test('the status CLI, run while the daemon runs, prints the daemon live status', async () => {
  const r = theRig();
  const a = theAgent();
  // The live status is written a moment after the last change.
  let doc: StatusDocument | null = null;
  const deadline = performance.now() + WAIT_MS;
  while (performance.now() < deadline) {
    const result = await r.cli(['status', '--config', a.configPath]);
    assert.is(result.code, 0, result.stderr);
    doc = JSON.parse(result.stdout) as StatusDocument;
    if (doc.policy.version === 12) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(doc, 'no status');
  assert.is(doc!.agent.daemon, true, 'status did not come from the daemon');
  assert.is(doc!.agent.boot, boot);
  assert.is(doc!.policy.version, 12);
  assert.is(doc!.policy.source, 'remote');
  assert.is(doc!.enforcement.applied, true);
  assert.is(doc!.device.id, ROUTER);
  // Errors were reported earlier; a desired state applied since then clears last_error.
  assert.is(doc!.last_error, null);
});

test('every message the agent published matches the JSON Schemas (when schemas/ exists)', async () => {
  await expectMessagesMatchSchemas(theRig().isp.messages, ROUTER);
});

test.run();
