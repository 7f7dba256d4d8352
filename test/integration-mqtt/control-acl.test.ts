// The broker's per-router ACL and TLS listener, seen from the wan namespace while the agent runs:
// another router can neither read nor write router-a's topics, a router cannot write its own
// desired state or commands, and TLS refuses a client without a certificate.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BACKENDS,
  BROKER_ADDRESS,
  PLAIN_PORT,
  startMqttClient,
  TLS_PORT,
  type TestMqttClient,
} from '../testbed/index.ts';
import type { Agent, Rig } from './create-rig.ts';
import { desiredFileStamp } from './flash.ts';
import { nextPresence, nextStatus, retainedOf, type PresenceMessage } from './messages.ts';
import { expectSameRuleset } from './ruleset.ts';
import { suiteRig } from './suite-rig.ts';
import { OTHER_ROUTER, ROUTER, T, topics } from './topics.ts';
import { WAIT_MS } from './waits.ts';

const test = suite('mqtt: ISP control, broker ACL (nftables, MQTT 5 over TLS)');
let agent: Agent | null = null;
let boot = '';

// As the control suite has it: a retained desired state applied; presence and status retained.
const theRig = suiteRig(test, { backend: BACKENDS.nftables }, async (r) => {
  const published = await r.isp.publish(T.desired, JSON.stringify({ version: 1, enabled: true }), {
    retain: true,
  });
  assert.ok(published.ok, JSON.stringify(published));
  const from = r.isp.messages.length;
  agent = await r.startAgent(r.config(ROUTER, { policy: { enabled: false } }));
  boot = (await nextPresence(r, from, (p) => p.online)).boot;
  await nextStatus(r, from, (s) => s.policy.version === 1);
});
const theAgent = (): Agent => {
  if (agent) return agent;
  throw new Error('the agent did not start (see the set-up)');
};

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

test.run();
