// A router played by an MQTT client: presence with a Will, schema-valid status documents, and
// answers like the agent's to the portal's tokens, which it verifies with the public key.
import { compactVerify, importSPKI } from 'jose';
import mqtt, { type MqttClient } from 'mqtt';
import { topicsFor } from '../../../contract/topics.ts';
import type { ReplyDoc, StatusDoc } from '../../../contract/message-types.ts';
import { validateMessage, validateSignedMessage } from '../../../contract/validate.ts';
import { stateDoc, statusDoc } from './documents.ts';
import { PREFIX } from './test-portal.ts';

export type TestRouter = Awaited<ReturnType<typeof startRouter>>;

export interface Received {
  readonly kind: 'desired' | 'cmd';
  readonly token: string;
  readonly claims: Record<string, unknown>;
  readonly retained: boolean;
}

export interface RouterOptions {
  readonly id: string;
  readonly boot: string;
  readonly brokerUrl: string;
  readonly publicPem: string;
  /** Answer desired states with this error instead of applying them. */
  readonly failWith?: string;
  /** Do not answer at all. */
  readonly silent?: boolean;
  readonly status?: Partial<Parameters<typeof statusDoc>[0]>;
}

/** A router played by an MQTT client: presence with a Will, status, answers like the agent. */
export async function startRouter(o: RouterOptions) {
  const t = topicsFor(PREFIX, o.id);
  const key = await importSPKI(o.publicPem, 'EdDSA');
  const received: Received[] = [];
  let applied = o.status?.version ?? 0;
  let reported = 0;
  const will = JSON.stringify(stateDoc(false, o.boot, new Date().toISOString()));
  const client: MqttClient = await mqtt.connectAsync(o.brokerUrl, {
    clientId: o.id,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 0,
    will: { topic: t.state, payload: Buffer.from(will), qos: 1, retain: true },
  });
  const publishStatus = async (extra: Partial<Parameters<typeof statusDoc>[0]> = {}) => {
    // Strictly increasing report times, as the agent's.
    reported = Math.max(reported + 1, Date.now());
    const doc: StatusDoc = statusDoc({
      id: o.id,
      boot: o.boot,
      version: applied,
      reportedAt: new Date(reported).toISOString(),
      ...o.status,
      ...extra,
    });
    if (!validateMessage('status', doc).valid) throw new Error('invalid test status');
    await client.publishAsync(t.status, JSON.stringify(doc), { qos: 1, retain: true });
  };
  const reply = (doc: ReplyDoc) => {
    if (!validateMessage('reply', doc).valid) throw new Error('invalid test reply');
    // A router stopped meanwhile loses its reply, as a real one would.
    client.publishAsync(t.reply, JSON.stringify(doc), { qos: 1 }).catch(() => {});
  };
  client.on('message', (topic, payload, packet) => {
    const token = payload.toString();
    const kind = topic === t.desired ? 'desired' : 'cmd';
    (async () => {
      let claims: Record<string, unknown>;
      try {
        const { payload: body } = await compactVerify(token, key);
        claims = JSON.parse(new TextDecoder().decode(body));
        if (!validateSignedMessage(kind === 'desired' ? 'desired' : 'command', token).valid)
          throw new Error('claims do not fit the schema');
        if (claims.sub !== o.id) throw new Error('wrong device');
      } catch {
        received.push({ kind, token, claims: {}, retained: packet.retain });
        if (!o.silent)
          reply({ version: null, ok: false, error: { code: 'bad_signature', message: 'no' } });
        return;
      }
      received.push({ kind, token, claims, retained: packet.retain });
      if (o.silent) return;
      if (kind === 'cmd') {
        reply({
          id: claims.id as string,
          ok: true,
          ...(claims.op === 'verify' && { result: { applied: true, drift: [] } }),
        });
        return;
      }
      const version = claims.version as number;
      if (o.failWith)
        reply({ version, ok: false, error: { code: o.failWith, message: 'refused' } });
      else if (version < applied)
        reply({ version, ok: false, error: { code: 'stale_version', message: 'older' } });
      else if (version === applied) reply({ version, ok: true, note: 'already applied' });
      else {
        applied = version;
        reply({ version, ok: true });
        await publishStatus({ enabled: claims.enabled as boolean });
      }
    })().catch(() => {});
  });
  await client.subscribeAsync([t.desired, t.cmd], { qos: 1 });
  await client.publishAsync(
    t.state,
    JSON.stringify(stateDoc(true, o.boot, new Date().toISOString())),
    { qos: 1, retain: true },
  );
  await publishStatus();
  return {
    id: o.id,
    client,
    received,
    publishStatus,
    get applied() {
      return applied;
    },
    /** Drops the connection without a goodbye: the broker publishes the Will. */
    crash: () => {
      client.stream.destroy();
      return client.endAsync(true).catch(() => {});
    },
    stop: () => client.endAsync(false).catch(() => {}),
  };
}
