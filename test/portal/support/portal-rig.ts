// The portal's integration rig: a private mosquitto on 127.0.0.1, an Ed25519 key pair, portal
// instances (startFleetService) and routers played by MQTT clients that publish schema-valid
// documents, verify the portal's tokens with the public key and answer like the agent.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactVerify, exportPKCS8, exportSPKI, generateKeyPair, importSPKI } from 'jose';
import mqtt, { type MqttClient } from 'mqtt';
import type { Test } from 'uvu';
import { topicsFor } from '../../../contract/topics.ts';
import type { ReplyDoc, StatusDoc } from '../../../contract/message-types.ts';
import { validateMessage, validateSignedMessage } from '../../../contract/validate.ts';
import type { AuditEntry, AuditSink } from '../../../portal/core/audit-entry.ts';
import { fileSigner } from '../../../portal/signing/file-signer.ts';
import type { Signer } from '../../../portal/signing/signer.ts';
import type { Db } from '../../../portal/store/db.ts';
import { startFleetService } from '../../../portal/service/start-fleet-service.ts';
import { freePort, startMosquitto, tempDir, waitFor, type Mosquitto } from '../../mqtt/helpers.ts';
import { BOOT_A, deviceId, stateDoc, statusDoc } from './documents.ts';
import { emptyFleet, sharedPglite } from './shared-pglite.ts';

export const PREFIX = 'op25b/v1';
export const OPERATOR = { name: 'alice', role: 'operator' } as const;

export interface Broker {
  readonly url: string;
  readonly mosquitto: Mosquitto;
  stop(): Promise<void>;
}

export async function startTestBroker(): Promise<Broker> {
  const dir = tempDir();
  const port = await freePort();
  const mosquitto = await startMosquitto(
    dir.path,
    `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n`,
    [{ host: '127.0.0.1', port }],
  );
  return {
    url: `mqtt://127.0.0.1:${port}`,
    mosquitto,
    stop: async () => {
      await mosquitto.stop();
      dir.remove();
    },
  };
}

export interface Keys {
  readonly dir: string;
  readonly privateFile: string;
  readonly publicPem: string;
  signer(): Promise<Signer>;
  remove(): void;
}

export async function makeKeys(): Promise<Keys> {
  const dir = tempDir();
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const privateFile = join(dir.path, 'private.pem');
  writeFileSync(privateFile, await exportPKCS8(privateKey), { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  return {
    dir: dir.path,
    privateFile,
    publicPem: await exportSPKI(publicKey),
    signer: () => fileSigner(privateFile),
    remove: dir.remove,
  };
}

export class MemoryAudit implements AuditSink {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
}

export interface PortalOptions {
  readonly db: Db;
  readonly brokerUrl: string;
  readonly signer: Signer;
  readonly shareGroup?: string;
  readonly replyTimeoutMs?: number;
  readonly desiredTtlS?: number;
}

export async function startPortal(o: PortalOptions) {
  const audit = new MemoryAudit();
  const logs: string[] = [];
  const service = await startFleetService({
    db: o.db,
    signer: o.signer,
    audit,
    log: (line) => logs.push(line),
    config: {
      mqtt: { url: o.brokerUrl, ...(o.shareGroup && { shareGroup: o.shareGroup }) },
      topicPrefix: PREFIX,
      replyTimeoutMs: o.replyTimeoutMs ?? 1500,
      reportIntervalS: 300,
      resignBeforeS: 86400,
      maxPayloadBytes: 16384,
      ...(o.desiredTtlS && { desiredTtlS: o.desiredTtlS }),
    },
    timers: { timeoutSweepMs: 200, rolloutTickMs: 100, resignEveryMs: 3_600_000 },
  });
  // Idempotent, so a test may stop a portal early and its cleanup stop it again.
  const stopService = service.stop;
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= stopService());
  return Object.assign(service, { audit, logs, stop });
}

export type TestPortal = Awaited<ReturnType<typeof startPortal>>;
export type TestRouter = Awaited<ReturnType<typeof startRouter>>;

/** What a test file shares: one broker and one key pair, started before its tests. */
export interface SharedRig {
  readonly broker: Broker;
  readonly keys: Keys;
}

/** Registers the hooks that start the file's broker and keys before its tests and remove them. */
export function sharedRig(test: Test): SharedRig {
  let broker: Broker | null = null;
  let keys: Keys | null = null;
  test.before(async () => {
    broker = await startTestBroker();
    keys = await makeKeys();
  });
  test.after(async () => {
    await broker?.stop();
    keys?.remove();
  });
  const started = <T>(value: T | null): T => {
    if (value === null) throw new Error('the shared broker and keys are not started');
    return value;
  };
  return {
    get broker() {
      return started(broker);
    },
    get keys() {
      return started(keys);
    },
  };
}

export interface PortalWithRouter {
  readonly db: Db;
  readonly id: string;
  readonly portal: TestPortal;
  readonly router: TestRouter;
  /** Stops the router, then the portal. */
  stop(): Promise<void>;
}

/** An emptied shared PGlite and a portal on it, signing with the shared key unless told otherwise. */
export async function portalOnEmptyFleet(
  rig: SharedRig,
  options: Partial<Omit<PortalOptions, 'db' | 'brokerUrl'>> = {},
): Promise<{ readonly db: Db; readonly portal: TestPortal }> {
  const db = await sharedPglite();
  await emptyFleet(db);
  const portal = await startPortal({
    db,
    brokerUrl: rig.broker.url,
    signer: options.signer ?? (await rig.keys.signer()),
    ...options,
  });
  return { db, portal };
}

/** portalOnEmptyFleet, and router `deviceId(n)` in BOOT_A once the portal has it online. */
export async function portalWithRouter(
  rig: SharedRig,
  n: number,
  options: {
    readonly portal?: Partial<Omit<PortalOptions, 'db' | 'brokerUrl'>>;
    readonly router?: Partial<Omit<RouterOptions, 'id' | 'brokerUrl' | 'publicPem'>>;
  } = {},
): Promise<PortalWithRouter> {
  const { db, portal } = await portalOnEmptyFleet(rig, options.portal);
  const id = deviceId(n);
  const stop = async () => {
    await router?.stop();
    await portal.stop();
  };
  let router: TestRouter | undefined;
  try {
    router = await startRouter({
      id,
      boot: BOOT_A,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
      ...options.router,
    });
    await waitForValue('router online in the portal', async () =>
      (await portal.getRouter(id))?.online ? true : undefined,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { db, id, portal, router, stop };
}

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

export async function waitForValue<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { waitFor };
