// `op25b-sign publish`: sign a desired state and publish it, retained, QoS 1, with MQTT.js; then
// wait for the router's reply. Every check runs before anything is published: when the version is
// not given it is one more than the newest the broker retains for the router (its `status` and its
// `desired`), and with neither retained there is no safe guess, so nothing is published.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { decodeBase64Url } from '../../agent/encoding/base64.ts';
import { parseStrictJson } from '../../agent/encoding/strict-json.ts';
import { parseBrokerUrl } from '../../agent/mqtt/broker-url.ts';
import { looksLikeJws } from '../../agent/remote/jws.ts';
import { topicsFor } from '../../contract/topics.ts';
import { UsageError } from './flags.ts';

/** How long to wait for the retained messages after subscribing. */
const RETAINED_WAIT_MS = 2000;
const CONNECT_TIMEOUT_MS = 10_000;

export interface Connection {
  readonly broker: string;
  readonly username?: string;
  readonly passwordFile?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly prefix: string;
  readonly device: string;
}

export interface PublishResult {
  readonly version: number;
  readonly topic: string;
  /** The router's reply, or null when none came within the wait. */
  readonly reply: Record<string, unknown> | null;
}

function file(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${what} ${path}: ${(error as Error).message}`);
  }
}

/** Client options, with every file read now (before connecting). */
export function clientOptions(c: Connection): { url: string; options: IClientOptions } {
  const url = parseBrokerUrl(c.broker);
  if (url.tls && !c.caFile) throw new UsageError('an mqtts:// broker needs --ca-file');
  if ((c.certFile === undefined) !== (c.keyFile === undefined))
    throw new UsageError('--cert-file and --key-file go together');
  const options: IClientOptions = {
    clientId: `op25b-sign-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(c.username !== undefined && { username: c.username }),
    ...(c.passwordFile !== undefined && {
      password: file(c.passwordFile, '--password-file')
        .toString('utf8')
        .replace(/\r?\n$/, ''),
    }),
    ...(c.caFile !== undefined && { ca: file(c.caFile, '--ca-file') }),
    ...(c.certFile !== undefined && { cert: file(c.certFile, '--cert-file') }),
    ...(c.keyFile !== undefined && { key: file(c.keyFile, '--key-file') }),
  };
  const host = url.hostKind === 'ipv6' ? `[${url.host}]` : url.host;
  return { url: `${url.tls ? 'mqtts' : 'mqtt'}://${host}:${url.port}`, options };
}

/** The newest version the broker retains for the router, or null when it retains neither. */
export function retainedVersion(status: string | null, desired: string | null): number | null {
  const versions: number[] = [];
  if (status !== null) {
    const policy = (JSON.parse(status) as { policy?: { version?: unknown } }).policy;
    // A router enforcing its config (version null) has taken no desired state yet.
    versions.push(typeof policy?.version === 'number' ? policy.version : 0);
  }
  const version = desired === null ? undefined : payloadOf(desired)?.version;
  if (typeof version === 'number' && Number.isSafeInteger(version)) versions.push(version);
  return versions.length ? Math.max(...versions) : null;
}

/**
 * The claims of the retained desired state, read without verification: only to find the newest
 * version in use (a higher number there can only raise the next one, never lower it).
 */
function payloadOf(token: string): Record<string, unknown> | null {
  let text = token;
  if (looksLikeJws(token)) {
    const bytes = decodeBase64Url(token.trim().split('.')[1] ?? '');
    if (!bytes) return null;
    text = Buffer.from(bytes).toString('utf8');
  }
  try {
    const claims: unknown = parseStrictJson(text);
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

async function readRetained(client: MqttClient, topics: readonly string[]) {
  const seen = new Map<string, string>();
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  client.on('message', (topic, payload, packet) => {
    if (!packet.retain || !topics.includes(topic) || payload.length === 0) return;
    seen.set(topic, payload.toString('utf8'));
    if (seen.size === topics.length) done();
  });
  await client.subscribeAsync([...topics], { qos: 1 });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    all,
    new Promise((resolve) => (timer = setTimeout(resolve, RETAINED_WAIT_MS))),
  ]);
  clearTimeout(timer);
  return seen;
}

export async function publishDesired(
  connection: Connection,
  version: number | undefined,
  /** Signs the state for this version; throws (and nothing is published) when it cannot. */
  sign: (version: number) => Promise<string>,
  waitS: number,
  log: (line: string) => void,
): Promise<PublishResult> {
  const topics = topicsFor(connection.prefix, connection.device);
  // A given version is signed (and checked) before connecting.
  const early = version === undefined ? null : await sign(version);
  const { url, options } = clientOptions(connection);
  const client = await mqtt.connectAsync(url, options);
  try {
    let token = early;
    let next = version;
    if (next === undefined) {
      const seen = await readRetained(client, [topics.status, topics.desired]);
      const newest = retainedVersion(
        seen.get(topics.status) ?? null,
        seen.get(topics.desired) ?? null,
      );
      if (newest === null)
        throw new UsageError(
          `the broker retains no status and no desired state for ${connection.device}: give --version`,
        );
      next = newest + 1;
      log(`version ${next} (the broker retains version ${newest})`);
      token = await sign(next);
    }
    const replied = waitS > 0 ? waitForReply(client, topics.reply, next, waitS) : null;
    if (replied) await client.subscribeAsync(topics.reply, { qos: 1 });
    await client.publishAsync(topics.desired, token!, { qos: 1, retain: true });
    return { version: next, topic: topics.desired, reply: replied ? await replied : null };
  } finally {
    await client.endAsync();
  }
}

function waitForReply(
  client: MqttClient,
  topic: string,
  version: number,
  waitS: number,
): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), waitS * 1000);
    client.on('message', (t, payload) => {
      if (t !== topic) return;
      try {
        const reply = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        if (reply.version !== version) return;
        clearTimeout(timer);
        resolve(reply);
      } catch {
        // Not a reply to us.
      }
    });
  });
}
