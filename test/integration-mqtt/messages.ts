// What the agent says over MQTT, as the ISP's client sees it: replies, presence, status
// documents and retained messages, each awaited with a bound.
import * as assert from 'uvu/assert';
import { BROKER_ADDRESS, PLAIN_PORT, startMqttClient, type MqttMessage } from '../testbed/index.ts';
import type { Rig } from './create-rig.ts';
import { ROUTER, T, topics } from './topics.ts';
import { WAIT_MS } from './waits.ts';

export interface Reply {
  readonly version?: number | null;
  readonly id?: string | null;
  readonly ok: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  readonly note?: string;
  readonly result?: Record<string, unknown>;
}

export interface PresenceMessage {
  readonly online: boolean;
  readonly boot: string;
  readonly [key: string]: unknown;
}

export interface StatusDocument {
  readonly policy: {
    readonly enabled: boolean;
    readonly version: number;
    readonly source: string;
    readonly action: string;
    readonly ports: number[];
    readonly wan_devices: string[];
  };
  readonly enforcement: {
    readonly applied: boolean;
    readonly backend: string;
    readonly verified_at: string | null;
    readonly drift: string[];
    readonly repairs: number;
    readonly last_repair: { readonly at: string; readonly drift: string[] } | null;
  };
  readonly counters: {
    readonly blocked_packets: number;
    readonly top_sources: { readonly address: string; readonly attempts: number }[];
  };
  readonly device: { readonly id: string };
  readonly agent: {
    readonly boot: string | null;
    readonly daemon: boolean;
    readonly remote_control?: string;
  };
  readonly last_error: { readonly code: string; readonly message: string } | null;
}

export function parse<V>(message: MqttMessage): V {
  return JSON.parse(message.payload) as V;
}

/** The replies of router-a published after index `from`, in order. */
export const replies = (r: Rig, from: number): Reply[] =>
  r.isp.messages
    .slice(from)
    .filter((m) => m.topic === T.reply)
    .map((m) => parse<Reply>(m));

/** Publishes on a router's desired/cmd topic and waits for the reply that follows it. */
export async function request(
  rig: Rig,
  topic: string,
  payload: string,
  options: { retain?: boolean; id?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  const replyTopic = topic.replace(/\/(desired|cmd)$/, '/reply');
  const from = rig.isp.messages.length;
  const published = await rig.isp.publish(topic, payload, { retain: options.retain ?? false });
  assert.ok(published.ok, `publish to ${topic}: ${JSON.stringify(published)}`);
  const message = await rig.isp.waitMessage(
    (m) => m.topic === replyTopic,
    options.timeoutMs ?? WAIT_MS,
    from,
    `a reply on ${replyTopic} to ${payload.slice(0, 120)}`,
  );
  return parse<Reply>(message);
}

/** The next presence message on the router's state topic after index `from`. */
export async function nextPresence(
  rig: Rig,
  from: number,
  match: (p: PresenceMessage) => boolean,
  timeoutMs = WAIT_MS,
  id = ROUTER,
): Promise<PresenceMessage> {
  const message = await rig.isp.waitMessage(
    (m) => m.topic === topics(id).state && match(parse<PresenceMessage>(m)),
    timeoutMs,
    from,
    `a presence message on ${topics(id).state}`,
  );
  return parse<PresenceMessage>(message);
}

/** The next status document published after index `from` that satisfies `match`. */
export async function nextStatus(
  rig: Rig,
  from: number,
  match: (s: StatusDocument) => boolean,
  timeoutMs = WAIT_MS,
  id = ROUTER,
): Promise<StatusDocument> {
  const message = await rig.isp.waitMessage(
    (m) => m.topic === topics(id).status && match(parse<StatusDocument>(m)),
    timeoutMs,
    from,
    `a matching status on ${topics(id).status}`,
  );
  return parse<StatusDocument>(message);
}

/** What a fresh subscriber gets as the retained message of `topic` (null: none). */
export async function retainedOf(rig: Rig, topic: string): Promise<string | null> {
  const client = startMqttClient(rig.bed.ns.wan);
  try {
    const connected = await client.connect(`mqtt://${BROKER_ADDRESS.ipv4}:${PLAIN_PORT}`, {
      clientId: `peek-${Math.random().toString(36).slice(2, 8)}`,
      username: rig.files.isp.user,
      password: rig.files.isp.password,
    });
    assert.ok(connected.ok, `peek client: ${JSON.stringify(connected)}`);
    const subscribed = await client.subscribe(topic);
    assert.ok(subscribed.ok, `peek subscribe: ${JSON.stringify(subscribed)}`);
    const message = await client
      .waitMessage((m) => m.topic === topic && m.retain, 1000, 0, `retained ${topic}`)
      .catch(() => null);
    return message?.payload ?? null;
  } finally {
    client.close();
  }
}
