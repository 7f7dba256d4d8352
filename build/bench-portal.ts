// Budgets of the portal's core: signed desired states made and published per second (>= 5,000),
// the fleet list and overview reads on PostgreSQL 15 at 100,000 routers (bench-portal-api.ts has
// PGlite's), and the service's RSS there. Also the store's share of ingest, in process: the
// boot-id/counter rules and the batched store (batches of 1,000, as the MQTT ingest makes them,
// PGlite's vacuum keeper included), JSON parse + schema validation timed apart. The ingest
// budget itself is measured end to end through mosquitto: build/bench-portal-ingest.ts.
// Publishing goes to a real mosquitto on 127.0.0.1, QoS 1 retained, every PUBACK awaited (many
// in flight), the audit entry written to the database.
// Run alone: node --import tsx build/bench-portal.ts [seconds], or with --signing for that line
// only (about 10 s: a fresh PostgreSQL 15 cluster, 10,000 routers, one fleet-wide disable).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { validateMessage } from '../contract/validate.ts';
import type { StatusDoc } from '../contract/message-types.ts';
import { AuditStore } from '../portal/auth/audit-store.ts';
import { act } from '../portal/control/act.ts';
import { connectBroker } from '../portal/mqtt/connect-broker.ts';
import { mqttPublisher } from '../portal/mqtt/publisher.ts';
import { startFleetService } from '../portal/service/start-fleet-service.ts';
import { openDb, type Db } from '../portal/store/db.ts';
import { listRouters } from '../portal/store/fleet-queries.ts';
import { DEFAULT_QUERY } from '../portal/core/fleet-query.ts';
import { migrate } from '../portal/store/migrate.ts';
import { vacuumKeeper } from '../portal/store/pglite-vacuum.ts';
import { ingestBatch } from '../portal/store/router-ingest.ts';
import { loadFleet } from './bench-portal-ingest.ts';
import { fillFleet, listBench, overviewBench } from './bench-portal-api.ts';
import { benchStatusDoc } from './bench-statuses.ts';
import { startPostgresCluster } from '../test/portal/support/postgres-cluster.ts';
import {
  makeKeys,
  MemoryAudit,
  startTestBroker,
  type Keys,
} from '../test/portal/support/portal-rig.ts';

type Line = (name: string, value: string) => void;
const FLEET = 10_000;
const BATCH = 1000;

/** Status payloads of FLEET routers, each newer than the last (JSON text, as MQTT brings them). */
function payloads(done: number, base: number): { id: string; payload: string }[] {
  const out = [];
  for (let k = done; k < done + BATCH; k++) {
    const { id, doc } = benchStatusDoc(k, FLEET, base);
    out.push({ id, payload: JSON.stringify(doc) });
  }
  return out;
}

/**
 * Ingest for `seconds`: each batch's payloads parsed and validated (timed apart: the schema
 * check is the MQTT adapter's, not the store's), then stored. Returns messages per second of
 * the store, of parsing + validation, and of both together.
 */
async function ingestFor(db: Db, seconds: number) {
  const base = Date.now();
  let done = 0;
  let storeMs = 0;
  let checkMs = 0;
  // As the service does after each batch (PGlite only; its pauses count in the store's time).
  const vacuum = vacuumKeeper(db);
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    const batch = payloads(done, base);
    let t = performance.now();
    const statuses = batch.map(({ id, payload }) => {
      const doc = JSON.parse(payload) as StatusDoc;
      if (!validateMessage('status', doc).valid) throw new Error('invalid bench status');
      return { id, doc, receivedAtMs: Date.now() };
    });
    checkMs += performance.now() - t;
    t = performance.now();
    await vacuum.after((await ingestBatch(db, { states: [], statuses })).written);
    storeMs += performance.now() - t;
    done += BATCH;
  }
  const rate = (ms: number) => Math.round((done / ms) * 1000);
  return { store: rate(storeMs), check: rate(checkMs), both: rate(storeMs + checkMs) };
}

const rates = (r: { store: number; check: number; both: number }) =>
  `${r.store}/s (with JSON parse + schema check: ${r.both}/s)`;

export async function portalCoreBench(line: Line, seconds = 60): Promise<void> {
  const now = Date.now();
  // PGlite
  const lite = await openDb({});
  try {
    await migrate(lite);
    await loadFleet(lite, FLEET, now);
    const rate = await ingestFor(lite, seconds);
    line(`portal: status ingest in process (store only), PGlite, ${seconds} s`, rates(rate));
    line('portal: status JSON parse + schema check (ajv), one core', `${rate.check}/s`);
    line(
      'portal: RSS of the process with PGlite (in process)',
      `${Math.round(process.memoryUsage().rss / 1048576)} MB`,
    );
  } finally {
    await lite.close();
  }
  // PostgreSQL 15
  const cluster = startPostgresCluster();
  const broker = await startTestBroker();
  const keys = await makeKeys();
  try {
    const url = cluster.createDatabase('bench');
    const pg = await openDb({ databaseUrl: url });
    try {
      await migrate(pg);
      await loadFleet(pg, FLEET, now);
      const rate = await ingestFor(pg, seconds);
      line(
        `portal: status ingest in process (store only), PostgreSQL 15, ${seconds} s`,
        rates(rate),
      );
      await signingBench(pg, broker.url, keys, line);
      await pg.exec(
        'TRUNCATE routers, actions, blocked_hourly, blocked_fleet_hourly, router_sources CASCADE',
      );
      await fillFleet(pg, 100_000, Date.now());
      await listBench(pg, line, '100000 routers, PostgreSQL 15');
      await overviewBench(pg, line, '100000 routers, PostgreSQL 15', 100_000);
    } finally {
      await pg.close();
    }
    // The service alone in a fresh process, on the server, with 100,000 routers in it.
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', new URL(import.meta.url).pathname, '--rss', url, broker.url],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`RSS run failed: ${child.stderr}`);
    line('portal: service RSS at 100,000 routers (PostgreSQL)', child.stdout.trim());
  } finally {
    await broker.stop();
    keys.remove();
    cluster.stop();
  }
}

/**
 * Signed desired states for every router of the database (FLEET of them): allocate, make, check,
 * sign, record, publish (QoS 1 retained, every PUBACK awaited), record what the broker
 * acknowledged, audit. One cold run, as an operator's first fleet-wide action after a start.
 */
async function signingBench(pg: Db, brokerUrl: string, keys: Keys, line: Line): Promise<void> {
  const client = await connectBroker({ url: brokerUrl });
  const deps = {
    db: pg,
    signer: await keys.signer(),
    publisher: mqttPublisher(client),
    audit: new AuditStore(pg),
    prefix: 'op25b/v1',
    desiredTtlS: 86400,
    clock: () => ({ nowMs: Date.now(), notReportingAfterMs: 600_000 }),
  };
  const start = Date.now();
  const result = await act(
    deps,
    { action: 'disable', target: { kind: 'all' }, reason: 'bench' },
    { name: 'bench', role: 'operator' },
  );
  const secs = (Date.now() - start) / 1000;

  if (result.published !== FLEET) throw new Error(`published ${result.published} of ${FLEET}`);
  line(
    'portal: signed desired states published/s (target >= 5,000)',
    `${Math.round(FLEET / secs)}/s (${FLEET} in ${secs.toFixed(2)} s, PostgreSQL; load average ${loadavg()[0]!.toFixed(1)})`,
  );
  await client.endAsync();
}

/** The signing line alone: a fresh PostgreSQL 15 cluster with FLEET routers. */
async function signingOnly(line: Line): Promise<void> {
  const cluster = startPostgresCluster();
  const broker = await startTestBroker();
  const keys = await makeKeys();
  try {
    const pg = await openDb({ databaseUrl: cluster.createDatabase('bench') });
    try {
      await migrate(pg);
      await loadFleet(pg, FLEET, Date.now());
      await signingBench(pg, broker.url, keys, line);
    } finally {
      await pg.close();
    }
  } finally {
    await broker.stop();
    keys.remove();
    cluster.stop();
  }
}

/** In a fresh process: start the service on the server's 100,000 routers, list pages, report RSS. */
async function rssRun(url: string, brokerUrl: string): Promise<void> {
  const db = await openDb({ databaseUrl: url });
  const keys = await makeKeys();
  const service = await startFleetService({
    db,
    signer: await keys.signer(),
    audit: new MemoryAudit(),
    log: () => {},
    config: {
      mqtt: { url: brokerUrl },
      topicPrefix: 'op25b/v1',
      replyTimeoutMs: 30_000,
      reportIntervalS: 300,
      resignBeforeS: 86400,
      maxPayloadBytes: 16384,
    },
  });
  const { total } = await service.listRouters({
    ...DEFAULT_QUERY,
    sort: 'last_seen',
    order: 'desc',
  });
  for (let i = 0; i < 50; i++)
    await listRouters(
      db,
      { ...DEFAULT_QUERY, offset: i * 1000 },
      { nowMs: Date.now(), notReportingAfterMs: 600_000 },
    );
  await service.summary();
  process.stdout.write(
    `${Math.round(process.memoryUsage().rss / 1048576)} MB (${total} routers in the database)\n`,
  );
  await service.stop();
  await db.close();
  keys.remove();
}

const print: Line = (name, value) => process.stdout.write(`${name.padEnd(50)} ${value}\n`);
if (process.argv[2] === '--rss') await rssRun(process.argv[3]!, process.argv[4]!);
else if (process.argv[2] === '--signing') await signingOnly(print);
else if (import.meta.url === `file://${process.argv[1]}`)
  await portalCoreBench(print, Number(process.argv[2] ?? 60));
