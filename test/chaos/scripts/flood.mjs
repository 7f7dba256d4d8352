// The fuzzer's publisher, run inside the WAN namespace with `ip netns exec`: one MQTT.js
// connection as the ISP, QoS 1. A group of messages is published back to back, then a marker
// (a valid command with a known id): the replies that come before the marker's reply are the
// group's, in order (the daemon handles one message at a time). Sequential round trips would
// cost ~90 ms each here (delayed ACKs), groups cost one round trip.
// usage: node flood.mjs '<json: {url, username, password, replyTopic, stateTopic, timeoutMs}>'
// Requests (stdin): {"seq":1,"items":[{"topic","b64","retain"}...],"marker":{"topic","b64","id"}}
// Answers (stdout): {"seq":1,"replies":["<text>",...],"marker":true,"ms":12.5,"reconnected":false}
// When the marker's reply does not come in time, it waits (bounded) for the router to announce
// itself online again and for late replies to settle, and answers "marker":false.
// Exits when its standard input closes.
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';

const settings = JSON.parse(process.argv[2]);
const RECONNECT_WAIT_MS = settings.reconnectWaitMs ?? 15000;
const SETTLE_MS = 1000;

let replies = [];
let wake = null;
let onlineAt = 0;
const client = mqtt.connect(settings.url, {
  username: settings.username,
  password: settings.password,
  clientId: `chaos-flood-${process.pid}`,
  protocolVersion: 5,
  reconnectPeriod: 0,
  connectTimeout: 5000,
});
client.on('message', (topic, payload) => {
  if (topic === settings.replyTopic) replies.push(payload.toString('utf8'));
  else if (topic === settings.stateTopic && /"online":true/.test(payload.toString('utf8')))
    onlineAt = performance.now();
  wake?.();
});
client.on('error', (error) => process.stderr.write(`flood: ${error.message}\n`));

function waitFor(check, ms) {
  return new Promise((resolve) => {
    const done = (value) => {
      clearTimeout(timer);
      wake = null;
      resolve(value);
    };
    const timer = setTimeout(() => done(check() ?? null), ms);
    wake = () => {
      const value = check();
      if (value !== undefined) done(value);
    };
    wake();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function isMarkerReply(text, id) {
  try {
    return JSON.parse(text).id === id;
  } catch {
    return false;
  }
}

async function group({ items, marker }) {
  replies = [];
  const started = performance.now();
  const all = [...items, marker].map((item) =>
    client.publishAsync(item.topic, Buffer.from(item.b64, 'base64'), {
      qos: 1,
      retain: item.retain ?? false,
    }),
  );
  await Promise.all(all);
  const at = await waitFor(() => {
    const i = replies.findIndex((r) => isMarkerReply(r, marker.id));
    return i >= 0 ? i : undefined;
  }, settings.timeoutMs);
  const ms = performance.now() - started;
  if (at !== null) return { replies: replies.slice(0, at), marker: true, ms, reconnected: false };
  // No marker: the router may have dropped its connection. Wait until it is back and quiet.
  const got = replies.slice();
  const since = started;
  const back = await waitFor(() => (onlineAt > since ? true : undefined), RECONNECT_WAIT_MS);
  await sleep(SETTLE_MS);
  replies = [];
  return { replies: got, marker: false, ms, reconnected: back === true };
}

async function ready() {
  if (!client.connected)
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('close', () => reject(new Error('flood: closed before CONNACK')));
    });
  await client.subscribeAsync([settings.replyTopic, settings.stateTopic], { qos: 1 });
}

const started = ready();
const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  const request = JSON.parse(line);
  queue = queue.then(async () => {
    try {
      await started;
      const answer = await group(request);
      process.stdout.write(`${JSON.stringify({ seq: request.seq, ...answer })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ seq: request.seq, error: String(error) })}\n`);
    }
  });
});
lines.on('close', () => {
  client.end(true);
  process.exit(0);
});
