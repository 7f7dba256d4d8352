// `npm run bench:sim [-- --routers N] [-- --db postgres|pglite|both]`: the fleet at scale through
// a private mosquitto and the portal, once on a PostgreSQL 15 server (a private cluster as user
// postgres, on a Unix socket) and once on PGlite. `fleet-sim` runs N simulated routers (signed
// control, the agent's own verification and backoff) in its own process; the portal is
// `portal/main.ts` in its own. Measured, each next to its target:
//   1. start until every router is in the portal's summary, online and reporting (<= 60 s), with
//      the broker's, the simulator's and the portal's RSS and CPU;
//   2. the broker stopped for 5 s and started again (empty): time until 99 % are connected again
//      (the broker's $SYS) and heard from again (the portal's last_seen), and the peak rate of
//      new connections the broker saw in one of its 1 s $SYS samples;
//   3. a staged disable rollout over all routers (waves 1 %, 10 %, 100 %) through the API: time
//      until every reply is in.
// build/bench.ts prints the same lines in `npm run bench`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import type { FleetSummary, RouterSummary } from '../portal/core/router-views.ts';
import type { ActionRecord } from '../portal/core/action.ts';
import type { RolloutRecord } from '../portal/core/rollout.ts';
import { simulatedDeviceId } from '../sim/profiles.ts';
import { freePort, peakRssKb } from '../test/mqtt/helpers.ts';
import {
  startPostgresCluster,
  type PostgresCluster,
} from '../test/portal/support/postgres-cluster.ts';
import { makeKeys } from '../test/portal/support/portal-rig.ts';
import {
  benchBroker,
  makeToken,
  poll,
  raised,
  ROOT,
  rssKb,
  startPortal,
  stopChild,
  treeCpuS,
  treeRssKb,
  type BenchBroker,
  type PortalProcess,
} from './bench-sim-rig.ts';

type Line = (name: string, value: string) => void;
export type BenchDb = 'postgres' | 'pglite';

const INTERVAL_S = 60;
const OUTAGE_S = 5;
const STEADY_S = 15;
const VISIBLE_TARGET_S = 60;
const ROLLOUT_WAVE_TIMEOUT_MS = 600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The broker's own count of connected clients, from $SYS (published every second). */
async function sysWatch(url: string) {
  const samples: { at: number; connected: number }[] = [];
  const client: MqttClient = connect(url, {
    clientId: `bench-sys-${Date.now()}`,
    reconnectPeriod: 500,
  });
  client.on('message', (_topic, payload) =>
    samples.push({ at: Date.now(), connected: Number(payload.toString()) }),
  );
  client.on('error', () => {});
  client.on('connect', () => void client.subscribe('$SYS/broker/clients/connected', { qos: 0 }));
  return {
    samples,
    /** Clients connected as of the latest sample since `fromMs` (watcher and portal included). */
    connected(fromMs = 0): number {
      const last = samples[samples.length - 1];
      return last && last.at >= fromMs ? last.connected : 0;
    },
    /** The highest rise in connected clients per second between two samples since `fromMs`. */
    peakRate(fromMs: number): number {
      let peak = 0;
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        if (a.at < fromMs || b.at <= a.at) continue;
        peak = Math.max(peak, ((b.connected - a.connected) * 1000) / (b.at - a.at));
      }
      return Math.round(peak);
    },
    close: () => client.endAsync(true),
  };
}

/** CPU seconds and RSS of the three parts (and the PostgreSQL server's processes). */
function usage(broker: BenchBroker, simPid: number, portal: PortalProcess, pg: number | null) {
  return {
    broker: { cpu: treeCpuS(broker.child.pid!), rss: rssKb(broker.child.pid!) },
    sim: { cpu: treeCpuS(simPid), rss: rssKb(simPid) },
    portal: { cpu: treeCpuS(portal.child.pid!), rss: rssKb(portal.child.pid!) },
    pg: pg === null ? null : { cpu: treeCpuS(pg), rss: treeRssKb(pg) },
  };
}

function postmasterPid(cluster: PostgresCluster): number {
  return Number(readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** One full run on one database: connect, steady state, broker restart, rollout. */
export async function fleetScaleRun(line: Line, routers: number, dbKind: BenchDb): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-bench-fleet-'));
  const keys = await makeKeys();
  const verifyKey = join(dir, 'public.pem');
  writeFileSync(verifyKey, keys.publicPem);
  const broker = benchBroker(dir, await freePort(), routers);
  let cluster: PostgresCluster | null = null;
  let portal: PortalProcess | null = null;
  let sim: ReturnType<typeof raised> | null = null;
  const tag = `${routers} routers, ${dbKind === 'postgres' ? 'PostgreSQL 15' : 'PGlite'}`;
  try {
    let database: Record<string, string>;
    if (dbKind === 'postgres') {
      cluster = startPostgresCluster();
      database = { DATABASE_URL: cluster.createDatabase('portal') };
    } else {
      mkdirSync(join(dir, 'pglite'));
      database = { PORTAL_DATA: join(dir, 'pglite') };
    }
    const token = await makeToken(
      database.DATABASE_URL
        ? { databaseUrl: database.DATABASE_URL }
        : { dataDir: database.PORTAL_DATA! },
    );
    await broker.start();
    portal = await startPortal(
      {
        ...database,
        MQTT_URL: broker.url,
        PORTAL_SIGNING_KEY: keys.privateFile,
        PORTAL_REPORT_INTERVAL_S: String(INTERVAL_S),
      },
      token,
    );
    const p = portal;
    const pgPid = cluster ? postmasterPid(cluster) : null;
    const base = usage(broker, process.pid, p, pgPid);
    const sys = await sysWatch(broker.url);

    // 1. Start: every router connected, reporting and in the portal's summary.
    const t0 = Date.now();
    sim = raised(
      [
        process.execPath, '--import', 'tsx', join(ROOT, 'sim/main.ts'), '--routers', String(routers),
        '--url', broker.url, '--interval', String(INTERVAL_S), '--ramp', String(Math.max(1, routers / 2000)),
        '--verify-key', verifyKey, '--flaky', '0', '--stats', '0',
      ], // prettier-ignore
      routers + 1024,
    );
    let simOut = '';
    sim.stdout?.on('data', (chunk: Buffer) => (simOut += chunk.toString()));
    sim.stderr?.on('data', (chunk: Buffer) => (simOut += chunk.toString()));
    const simPid = sim.pid!;
    const connectedMs = await poll(
      'every router connected',
      async () => (sys.connected() >= routers + 2 ? Date.now() - t0 : undefined),
      300_000,
      200,
    );
    const visibleMs = await poll(
      'every router in the portal',
      async () => {
        const sum = await p.api<FleetSummary>('GET', '/summary');
        return sum.routers >= routers && sum.online >= routers && sum.notReporting === 0
          ? Date.now() - t0
          : undefined;
      },
      300_000,
      250,
    );
    const up = usage(broker, simPid, p, pgPid);
    line(`fleet ${tag}: all connected (broker)`, s(connectedMs));
    line(
      `fleet ${tag}: all in the portal, reporting`,
      `${s(visibleMs)} (target <= ${VISIBLE_TARGET_S} s)`,
    );
    const cpuPart = (a: { cpu: number }, b: { cpu: number }) =>
      `${(b.cpu - a.cpu).toFixed(1)} s CPU`;
    line(`fleet ${tag}: broker`, `${mb(up.broker.rss)} RSS, ${cpuPart(base.broker, up.broker)}`);
    line(`fleet ${tag}: simulator`, `${mb(up.sim.rss)} RSS, ${up.sim.cpu.toFixed(1)} s CPU`);
    line(
      `fleet ${tag}: portal`,
      `${mb(up.portal.rss)} RSS${dbKind === 'pglite' ? ' (PGlite in it)' : ''}, ${cpuPart(base.portal, up.portal)}`,
    );
    if (up.pg && base.pg)
      line(
        `fleet ${tag}: PostgreSQL server`,
        `${mb(up.pg.rss)} RSS (sum), ${cpuPart(base.pg, up.pg)}`,
      );

    // Steady state: each router reports every INTERVAL_S (+-10 %).
    await sleep(STEADY_S * 1000);
    const steady = usage(broker, simPid, p, pgPid);
    const perS = (a: { cpu: number }, b: { cpu: number }) =>
      `${((100 * (b.cpu - a.cpu)) / STEADY_S).toFixed(0)} %`;
    line(
      `fleet ${tag}: steady CPU broker/sim/portal${steady.pg ? '/pg' : ''}`,
      [
        perS(up.broker, steady.broker),
        perS(up.sim, steady.sim),
        perS(up.portal, steady.portal),
        ...(steady.pg && up.pg ? [perS(up.pg, steady.pg)] : []),
      ].join(' / ') + ` of a core (${(routers / INTERVAL_S).toFixed(0)} status/s)`,
    );

    // 2. Broker restart: every connection drops, the routers come back with the agent's backoff.
    await stopChild(broker.child);
    await sleep(OUTAGE_S * 1000);
    await broker.start();
    const t1 = Date.now();
    const back99 = Math.ceil(routers * 0.99);
    const brokerBackMs = await poll(
      '99 % connected again',
      async () => (sys.connected(t1) - 2 >= back99 ? Date.now() - t1 : undefined),
      600_000,
      200,
    );
    // The portal's view: the (1 % + 1)-th least recently heard-from router was heard after t1.
    const heardAfter = async (offset: number) => {
      const page = await p.api<{ items: RouterSummary[] }>(
        'GET',
        `/routers?sort=last_seen&limit=1&offset=${offset}`,
      );
      const item = page.items[0];
      return item && Date.parse(item.lastSeen) >= t1 ? Date.now() - t1 : undefined;
    };
    const portalBackMs = await poll(
      '99 % in the portal again',
      () => heardAfter(routers - back99),
      600_000,
      250,
    );
    const allBackMs = await poll('all heard from again', () => heardAfter(0), 600_000, 250);
    line(
      `fleet ${tag}: broker down ${OUTAGE_S} s, 99 % back`,
      `${s(brokerBackMs)} (broker), ${s(portalBackMs)} (portal), all ${s(allBackMs)}`,
    );
    line(`fleet ${tag}: peak connection rate after restart`, `${sys.peakRate(t1)} connections/s`);

    // 3. A staged disable over every router through the API.
    const before = usage(broker, simPid, p, pgPid);
    const t2 = Date.now();
    const started = await p.api<RolloutRecord>('POST', '/rollouts', {
      action: 'disable',
      target: { all: true },
      reason: 'bench: disable the whole fleet in waves',
      // Long enough that the figure is the time until every reply is in, not a halt.
      wave_timeout_ms: ROLLOUT_WAVE_TIMEOUT_MS,
    });
    const done = await poll(
      'the rollout over',
      async () => {
        const r = await p.api<RolloutRecord>('GET', `/rollouts/${started.id}`);
        return r.state === 'done' || r.state === 'halted' ? r : undefined;
      },
      900_000,
      250,
    );
    const rolloutMs = Date.now() - t2;
    const sum = (k: 'ok' | 'errors' | 'missing' | 'failed') =>
      done.waves.reduce((n, w) => n + w[k], 0);
    line(
      `fleet ${tag}: disable rollout, every reply in`,
      `${s(rolloutMs)} (${done.state}; waves ${done.waves.map((w) => w.size).join('/')}: ${sum('ok')} ok, ${sum('errors')} error, ${sum('missing')} missing, ${sum('failed')} failed)`,
    );
    const after = usage(broker, simPid, p, pgPid);
    const waveS = done.waves.map((w) =>
      w.startedAt && w.finishedAt ? s(Date.parse(w.finishedAt) - Date.parse(w.startedAt)) : '-',
    );
    line(
      `fleet ${tag}: rollout waves; CPU broker/sim/portal${after.pg ? '/pg' : ''}`,
      `${waveS.join(' + ')}; ` +
        [
          cpuPart(before.broker, after.broker),
          cpuPart(before.sim, after.sim),
          cpuPart(before.portal, after.portal),
          ...(after.pg && before.pg ? [cpuPart(before.pg, after.pg)] : []),
        ].join(' / '),
    );
    // Where the last wave's time went: requests recorded (sent_at, just before each publish)
    // and replies received, for a sample of its routers.
    const last = done.waves[done.waves.length - 1]!;
    const lastStart = Date.parse(last.startedAt ?? done.createdAt);
    const sample = Array.from({ length: 50 }, (_, k) =>
      simulatedDeviceId(routers - last.size + Math.floor((k * last.size) / 50)),
    );
    const records = (
      await Promise.all(
        sample.map((id) =>
          p.api<{ items: ActionRecord[] }>('GET', `/routers/${id}/actions?limit=1`),
        ),
      )
    ).flatMap((h) => h.items.slice(0, 1));
    const sentMs = records.map((r) => Date.parse(r.sentAt) - lastStart).sort((a, b) => a - b);
    const lagMs = records
      .filter((r) => r.repliedAt)
      .map((r) => Date.parse(r.repliedAt!) - Date.parse(r.sentAt))
      .sort((a, b) => a - b);
    line(
      `fleet ${tag}: last wave, request recorded / reply lag`,
      `by ${s(sentMs[sentMs.length - 1] ?? NaN)} / median ${s(lagMs[lagMs.length >> 1] ?? NaN)}, max ${s(lagMs[lagMs.length - 1] ?? NaN)} (50 routers)`,
    );
    const peak = (pid: number) => mb(peakRssKb(pid));
    line(
      `fleet ${tag}: peak RSS broker/sim/portal`,
      `${peak(broker.child.pid!)} / ${peak(simPid)} / ${peak(p.child.pid!)} (broker since its restart)`,
    );
    const trouble = p.log.slice(8).filter((l) => /error|fail|lost|mqtt/i.test(l));
    if (trouble.length)
      process.stderr.write(`bench-sim: the portal logged:\n${trouble.slice(-20).join('\n')}\n`);
    await stopChild(sim, 'SIGINT', 120_000);
    if (!/all routers had connected after \d+ ms/.test(simOut))
      process.stderr.write(`bench-sim: simulator output: ${simOut.slice(-2000)}\n`);
    await sys.close();
  } finally {
    if (sim) await stopChild(sim, 'SIGKILL');
    if (portal) await stopChild(portal.child);
    await stopChild(broker.child);
    cluster?.stop();
    keys.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function fleetScaleBench(
  line: Line,
  routers = 10_000,
  dbs: readonly BenchDb[] = ['postgres', 'pglite'],
): Promise<void> {
  for (const db of dbs) await fleetScaleRun(line, routers, db);
}

function parseArgs(argv: string[]): { routers: number; dbs: BenchDb[] } {
  let routers = Number(process.env.SIM_ROUTERS ?? 10_000);
  let dbs: BenchDb[] = ['postgres', 'pglite'];
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--routers' && value && /^\d+$/.test(value) && Number(value) > 0)
      routers = Number(value);
    else if (flag === '--db' && (value === 'postgres' || value === 'pglite')) dbs = [value];
    else if (flag === '--db' && value === 'both') dbs = ['postgres', 'pglite'];
    else {
      process.stderr.write(
        'usage: npm run bench:sim -- [--routers N] [--db postgres|pglite|both]\n',
      );
      process.exit(2);
    }
  }
  return { routers, dbs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { routers, dbs } = parseArgs(process.argv.slice(2));
  process.stdout.write(
    `fleet bench ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`,
  );
  await fleetScaleBench(
    (name, value) => process.stdout.write(`${name.padEnd(58)} ${value}\n`),
    routers,
    dbs,
  );
}
