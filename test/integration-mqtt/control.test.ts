// The ISP controls the router over a real mosquitto (TLS with client certificates, passwords,
// per-router ACL) in the wan namespace; the agent's daemon runs in the router namespace. Every
// change is checked in the kernel (connections, ruleset) and on flash (desired.json), not only
// in the agent's replies.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BACKENDS,
  BROKER_ADDRESS,
  PLAN,
  PLAIN_PORT,
  startMqttClient,
  TLS_PORT,
  type MqttMessage,
  type RulesetSnapshot,
  type TestMqttClient,
} from '../testbed/index.ts';
import {
  agentRulesPresent,
  createRig,
  desiredFile,
  desiredFileStamp,
  expectBlock,
  expectSameRuleset,
  nextPresence,
  nextStatus,
  OTHER_ROUTER,
  parse,
  request,
  retainedOf,
  ROUTER,
  T,
  topics,
  WAIT_MS,
  waitUntil,
  type Agent,
  type PresenceMessage,
  type Reply,
  type Rig,
  type StatusDocument,
} from './rig.ts';
import { expectMessagesMatchSchemas } from './schemas.ts';

const test = suite('mqtt: ISP control (nftables, MQTT 5 over TLS)');
let rig: Rig | null = null;
let agent: Agent | null = null;
let boot = '';
/** The router's ruleset before the agent ever ran (fw4 stand-in only). */
let baseline: RulesetSnapshot | null = null;
let setupError: unknown = null;

const theRig = (): Rig => {
  if (rig) return rig;
  throw setupError instanceof Error ? setupError : new Error(String(setupError));
};
const theAgent = (): Agent => {
  if (agent) return agent;
  throw new Error('the agent did not start (see the first test)');
};

test.before(async () => {
  try {
    rig = await createRig({ backend: BACKENDS.nftables });
  } catch (error) {
    setupError = error; // uvu would swallow it here; every test rethrows it
  }
});

test.after(async () => {
  await rig?.destroy();
  rig = null;
});

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

interface BadMessage {
  readonly label: string;
  readonly topic: 'desired' | 'cmd';
  readonly payload: string | { size: number };
  readonly code: string;
  /** The version or id the reply names. */
  readonly echo: number | string | null;
}

const BAD_MESSAGES: readonly BadMessage[] = [
  { label: 'older version', topic: 'desired', payload: '{"version":2,"enabled":false}', code: 'stale_version', echo: 2 },
  { label: 'malformed JSON', topic: 'desired', payload: '{"version":5,"enabled":', code: 'malformed_json', echo: null },
  { label: 'JSON that is not an object', topic: 'desired', payload: '[5,false]', code: 'malformed_json', echo: null },
  { label: 'unknown field', topic: 'desired', payload: '{"version":5,"enabled":false,"enable":false}', code: 'unknown_field', echo: 5 },
  { label: 'invalid relay address', topic: 'desired', payload: '{"version":5,"enabled":false,"allow":["203.0.113.300"]}', code: 'invalid_address', echo: 5 },
  { label: 'invalid port', topic: 'desired', payload: '{"version":5,"enabled":false,"ports":[0]}', code: 'invalid_port', echo: 5 },
  { label: 'version not an integer', topic: 'desired', payload: '{"version":"5","enabled":false}', code: 'invalid_version', echo: null },
  { label: 'empty payload (the ISP cleared the retained message)', topic: 'desired', payload: '', code: 'malformed_json', echo: null },
  { label: 'allow-all relay prefix', topic: 'desired', payload: '{"version":5,"enabled":true,"allow":["0.0.0.0/0"]}', code: 'invalid_address', echo: 5 },
  { label: '1 MB payload', topic: 'desired', payload: { size: 1024 * 1024 }, code: 'payload_too_large', echo: null },
  // A JWS the router cannot verify: nothing of its payload is echoed (it is anyone's text).
  { label: 'signed token but no key configured', topic: 'desired', payload: 'eyJhbGciOiJFZERTQSJ9.eyJ2ZXJzaW9uIjo1fQ.c2ln', code: 'no_verify_key', echo: null },
  { label: 'unknown command', topic: 'cmd', payload: '{"id":"c-bad","op":"reboot"}', code: 'unknown_op', echo: 'c-bad' },
  { label: 'command with an unknown field', topic: 'cmd', payload: '{"id":"c-bad2","op":"report","force":true}', code: 'unknown_field', echo: 'c-bad2' },
  { label: '1 MB command', topic: 'cmd', payload: { size: 1024 * 1024 }, code: 'payload_too_large', echo: null },
]; // prettier-ignore

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

async function impostor(r: Rig, user: string, password: string): Promise<TestMqttClient> {
  const client = startMqttClient(r.bed.ns.wan);
  const connected = await client.connect(`mqtt://${BROKER_ADDRESS.ipv4}:${PLAIN_PORT}`, {
    clientId: `${user}-impostor`,
    username: user,
    password,
  });
  assert.ok(connected.ok, `${user}: ${JSON.stringify(connected)}`);
  return client;
}

test('ACL: another router can neither read nor write this router topics; TLS needs a client certificate', async () => {
  const r = theRig();
  const a = theAgent();
  const before = await r.bed.snapshot();
  const stamp = desiredFileStamp(a);
  const other = r.files.routers[OTHER_ROUTER]!;
  const b = await impostor(r, other.user, other.password);
  try {
    // Positive control: router-b reads its own desired state and writes its own presence.
    await r.isp.publish(topics(OTHER_ROUTER).desired, '{"version":1,"enabled":true}', {
      retain: true,
    });
    assert.ok((await b.subscribe(topics(OTHER_ROUTER).desired)).ok);
    await b.waitMessage((m) => m.topic === topics(OTHER_ROUTER).desired, WAIT_MS, 0, 'own desired');
    let from = r.isp.messages.length;
    await b.publish(topics(OTHER_ROUTER).state, '{"online":true,"boot":"0000000000000000"}');
    await r.isp.waitMessage(
      (m) => m.topic === topics(OTHER_ROUTER).state,
      WAIT_MS,
      from,
      'own state',
    );

    // router-a's topics: subscriptions deliver nothing (retained state/status/desired exist).
    const granted: unknown[] = [];
    for (const topic of [T.desired, T.cmd, T.state, T.status, T.reply]) {
      const answer = await b.subscribe(topic);
      granted.push(answer.granted);
    }
    from = r.isp.messages.length;
    await r.isp.publish(T.cmd, JSON.stringify({ id: 'c-acl', op: 'report' }));
    await r.isp.waitMessage((m) => m.topic === T.reply, WAIT_MS, from, 'reply to c-acl');
    const leaked = b.messages.filter((m) =>
      m.topic.startsWith(`${r.files.topicPrefix}/${ROUTER}/`),
    );
    assert.equal(
      leaked.map((m) => m.topic),
      [],
      `router-b read router-a's topics (SUBACK ${JSON.stringify(granted)})`,
    );

    // Writes to router-a's topics never reach the ISP nor the agent.
    from = r.isp.messages.length;
    const forged = JSON.stringify({ version: 99, enabled: false });
    await b.publish(T.desired, forged, { retain: true });
    await b.publish(T.cmd, JSON.stringify({ id: 'c-forged', op: 'reapply' }));
    await b.publish(T.state, JSON.stringify({ online: false, boot }), { retain: true });
    await b.publish(T.reply, JSON.stringify({ version: 99, ok: true }));
    const seen = await r.isp.collect(
      (m) => m.topic.startsWith(`${r.files.topicPrefix}/${ROUTER}/`),
      1000,
      from,
    );
    assert.equal(
      seen.map((m) => `${m.topic} ${m.payload}`),
      [],
      'the broker let router-b write',
    );
    expectSameRuleset(before, await r.bed.snapshot(), 'ACL');
    assert.is(desiredFileStamp(a), stamp, 'desired.json was rewritten');
    const state = await retainedOf(r, T.state);
    assert.is((JSON.parse(state ?? 'null') as PresenceMessage | null)?.online, true);
  } finally {
    b.close();
  }

  // The router itself may not write its own desired state nor commands.
  const self = r.files.routers[ROUTER]!;
  const selfClient = await impostor(r, self.user, self.password);
  try {
    const from = r.isp.messages.length;
    await selfClient.publish(T.desired, JSON.stringify({ version: 98, enabled: false }));
    await selfClient.publish(T.cmd, JSON.stringify({ id: 'c-self', op: 'reapply' }));
    const seen = await r.isp.collect(
      (m) => m.topic === T.desired || m.topic === T.cmd || m.topic === T.reply,
      1000,
      from,
    );
    assert.equal(
      seen.map((m) => m.payload),
      [],
      'a router could write its own desired/cmd',
    );
    assert.is(desiredFileStamp(a), stamp);
  } finally {
    selfClient.close();
  }

  // The TLS listener refuses a client without a certificate, even with the right password.
  const noCert = startMqttClient(r.bed.ns.wan);
  try {
    const answer = await noCert.connect(`mqtts://${BROKER_ADDRESS.ipv4}:${TLS_PORT}`, {
      clientId: 'no-cert',
      username: self.user,
      password: self.password,
      ca: r.files.caFile,
    });
    assert.is(answer.ok, false, 'connected over TLS without a client certificate');
  } finally {
    noCert.close();
  }
});

test('every message the agent published matches the JSON Schemas (when schemas/ exists)', async () => {
  await expectMessagesMatchSchemas(theRig().isp.messages, ROUTER);
});

test.run();
