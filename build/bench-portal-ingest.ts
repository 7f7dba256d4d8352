// The ingest budget end to end, as it is meant: routers publish status documents through a real
// mosquitto and the portal's service stores them (MQTT adapter -> size check, JSON parse, schema
// validation -> batches -> store, PGlite's vacuum keeper included). Targets: sustained for 60 s,
// PGlite >= 10,000/s, PostgreSQL 15 >= 5,000/s.
// - The routers are build/bench-ingest-publisher.ts in a process of its own (QoS 1, one
//   connection, 10,000 router ids, every message newer than the last of its router), kept at
//   most WINDOW messages ahead of what the portal has stored, so it measures what the portal
//   sustains, with the broker's queue bounded.
// - mosquitto keeps at most `max_queued_messages` (default 1,000) QoS 1 messages queued for a
//   client and drops the rest: the bench's broker (bench-sim-rig.ts) raises it, and an ISP's
//   broker must too (docs/portal.md, "The broker").
// - The figure is messages stored per second from the first stored batch on, for `seconds`;
//   afterwards every published message must be received and stored (each router's latest
//   reported_at checked in the database), or the bench fails.
// Run alone: node --import tsx build/bench-portal-ingest.ts [seconds] [pglite|postgres|both]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleetService } from '../portal/service/start-fleet-service.ts';
import { openDb, type Db } from '../portal/store/db.ts';
import { migrate } from '../portal/store/migrate.ts';
import { ingestBatch } from '../portal/store/router-ingest.ts';
import { freePort } from '../test/mqtt/helpers.ts';
import { BOOT_A, deviceId, stateDoc, statusDoc } from '../test/portal/support/documents.ts';
import { startPostgresCluster } from '../test/portal/support/postgres-cluster.ts';
import { makeKeys, MemoryAudit } from '../test/portal/support/portal-rig.ts';
import type { FromPublisher, ToPublisher } from './bench-ingest-publisher.ts';
import { benchBroker, stopChild } from './bench-sim-rig.ts';

type Line = (name: string, value: string) => void;
export type IngestDb = 'pglite' | 'postgres';

export const FLEET = 10_000;
const PREFIX = 'op25b/v1';
const WINDOW = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** FLEET routers, online and reporting, so the bench measures status updates (as in a fleet). */
export async function loadFleet(db: Db, routers: number, now: number): Promise<void> {
  for (let start = 0; start < routers; start += 2000) {
    const states = [];
    const statuses = [];
    for (let n = start; n < Math.min(routers, start + 2000); n++) {
      const id = deviceId(n + 1);
      const at = new Date(now).toISOString();
      states.push({ id, doc: stateDoc(true, BOOT_A, at), receivedAtMs: now });
      statuses.push({
        id,
        doc: statusDoc({ id, reportedAt: at, blocked: n % 7 }),
        receivedAtMs: now,
      });
    }
    await ingestBatch(db, { states, statuses });
  }
}

/** Waits until `check` is true, polling every 20 ms, for at most `ms`; throws with `what`. */
async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

function startPublisher(): { child: ChildProcess; events: FromPublisher[] } {
  const child = fork(new URL('./bench-ingest-publisher.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const events: FromPublisher[] = [];
  child.on('message', (m: FromPublisher) => events.push(m));
  return { child, events };
}

interface Measured {
  readonly rate: number;
  readonly cpuUsPerMessage: number;
  readonly meanBatch: number;
  readonly published: number;
  readonly stored: number;
}

/** One run on `db` (migrated, FLEET routers loaded) through a fresh broker. */
async function run(db: Db, seconds: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-bench-ingest-'));
  const port = await freePort();
  const broker = benchBroker(dir, port, 64);
  const keys = await makeKeys();
  const logged: string[] = [];
  let publisher: ReturnType<typeof startPublisher> | null = null;
  let ticker: NodeJS.Timeout | null = null;
  try {
    await broker.start();
    const service = await startFleetService({
      db,
      signer: await keys.signer(),
      audit: new MemoryAudit(),
      log: (l) => logged.push(l),
      config: {
        mqtt: { url: broker.url },
        topicPrefix: PREFIX,
        replyTimeoutMs: 30_000,
        reportIntervalS: 300,
        resignBeforeS: 86400,
        maxPayloadBytes: 16384,
      },
    });
    try {
      const stats = service.ingest.stats;
      publisher = startPublisher();
      const { child, events } = publisher;
      const send = (m: ToPublisher) => child.send(m);
      const failed = () => events.find((e) => e.type === 'error');
      send({ type: 'start', port, prefix: PREFIX, fleet: FLEET, base: Date.now(), window: WINDOW });
      await until('the publisher to connect', 20_000, () => {
        const error = failed();
        if (error?.type === 'error') throw new Error(`publisher: ${error.message}`);
        return events.some((e) => e.type === 'connected');
      });
      ticker = setInterval(() => send({ type: 'stored', n: stats.handled }), 20);
      await until('the first stored batch', 20_000, () => stats.handled > 0);
      const h0 = stats.handled;
      const b0 = stats.batches;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await sleep(seconds * 1000);
      const h1 = stats.handled;
      const b1 = stats.batches;
      const t1 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      send({ type: 'stop' });
      await until('the publisher to finish', 30_000, () => events.some((e) => e.type === 'done'));
      const done = events.find((e) => e.type === 'done');
      if (done?.type !== 'done') throw new Error('publisher: no result');
      await until(`all ${done.published} messages stored`, 60_000, () => {
        if (stats.failedBatches > 0 || stats.invalid > 0)
          throw new Error(`bench: ${stats.failedBatches} failed batches, ${stats.invalid} invalid`);
        return stats.handled >= done.published;
      });
      if (done.acked !== done.published || stats.received !== done.published)
        throw new Error(
          `bench: published ${done.published}, acknowledged ${done.acked}, received ${stats.received}`,
        );
      const stored = await checkStored(db, done.published);
      const n = h1 - h0;
      return {
        rate: Math.round((n / (t1 - t0)) * 1000),
        cpuUsPerMessage: (cpu.user + cpu.system) / n,
        meanBatch: Math.round(n / Math.max(1, b1 - b0)),
        published: done.published,
        stored,
      };
    } finally {
      if (ticker) clearInterval(ticker);
      await service.stop();
    }
  } catch (error) {
    if (logged.length) process.stderr.write(`${logged.slice(0, 10).join('\n')}\n`);
    throw error;
  } finally {
    if (publisher) await stopChild(publisher.child, 'SIGTERM', 5000);
    if (broker.child) await stopChild(broker.child, 'SIGTERM', 5000);
    keys.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each router's latest status as the publisher sent it (message k: router k % FLEET, reported at
 * base + k + 1, so the last one is the latest): the routers whose stored reported_at and counter
 * are exactly that one's. Throws unless that is every router.
 */
async function checkStored(db: Db, published: number): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    status: { counters: { blocked_packets: number } };
  }>('SELECT id, status FROM routers');
  const blocked = new Map(rows.map((r) => [r.id, r.status.counters.blocked_packets]));
  let ok = 0;
  for (let n = 0; n < FLEET; n++) {
    const last = published - 1 - ((((published - 1 - n) % FLEET) + FLEET) % FLEET);
    if (last < 0) continue;
    if (blocked.get(deviceId(n + 1)) === Math.floor(last / FLEET) * 3) ok++;
  }
  const expected = Math.min(FLEET, published);
  if (ok !== expected)
    throw new Error(`bench: ${ok} of ${expected} routers hold their last status`);
  return ok;
}

/** Migrates db, loads the fleet and measures; closes db whatever happens. */
async function measureOn(db: Db, seconds: number): Promise<Measured> {
  try {
    await migrate(db);
    await loadFleet(db, FLEET, Date.now());
    return await run(db, seconds);
  } finally {
    await db.close();
  }
}

async function onPglite(seconds: number): Promise<Measured> {
  return measureOn(await openDb({}), seconds);
}

async function onPostgres(seconds: number): Promise<Measured> {
  const cluster = startPostgresCluster();
  try {
    return await measureOn(
      await openDb({ databaseUrl: cluster.createDatabase('bench_ingest') }),
      seconds,
    );
  } finally {
    cluster.stop();
  }
}

export async function ingestEndToEndBench(
  line: Line,
  seconds = 60,
  dbs: readonly IngestDb[] = ['pglite', 'postgres'],
): Promise<void> {
  for (const kind of dbs) {
    const m = kind === 'pglite' ? await onPglite(seconds) : await onPostgres(seconds);
    const target = kind === 'pglite' ? '10,000' : '5,000';
    const name = kind === 'pglite' ? 'PGlite' : 'PostgreSQL 15';
    line(
      `portal: status ingest end to end (mosquitto, QoS 1), ${name}, ${seconds} s (target >= ${target}/s)`,
      `${m.rate}/s (service CPU ${m.cpuUsPerMessage.toFixed(0)} us/message, batches of ${m.meanBatch}; ` +
        `${m.published} published, ` +
        `all stored, ${m.stored} routers checked; load average ${loadavg()[0]!.toFixed(1)})`,
    );
  }
}

const print: Line = (name, value) => process.stdout.write(`${name.padEnd(50)} ${value}\n`);
if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[3] ?? 'both';
  await ingestEndToEndBench(
    print,
    Number(process.argv[2] ?? 60),
    which === 'both' ? ['pglite', 'postgres'] : [which as IngestDb],
  );
}
