// One run of the fleet bench (build/bench-sim.ts) on one database: the broker, the database
// (a private PostgreSQL 15 cluster or a PGlite directory), the portal and the simulator started,
// the three phases measured in turn, and everything stopped and removed whatever happens.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, peakRssKb } from '../test/mqtt/helpers.ts';
import {
  startPostgresCluster,
  type PostgresCluster,
} from '../test/portal/support/postgres-cluster.ts';
import { makeKeys } from '../test/portal/support/portal-rig.ts';
import {
  benchBroker,
  makeToken,
  raised,
  ROOT,
  startPortal,
  stopChild,
  type PortalProcess,
} from './bench-sim-rig.ts';
import {
  INTERVAL_S,
  mb,
  usage,
  type BenchDb,
  type FleetRig,
  type Line,
} from './bench-sim-figures.ts';
import { restartPhase } from './bench-sim-restart.ts';
import { rolloutPhase } from './bench-sim-rollout.ts';
import { startPhase, steadyPhase } from './bench-sim-start.ts';
import { sysWatch } from './bench-sim-sys.ts';

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
    const rig: FleetRig = { line, tag, routers, dbKind, broker, portal: p, simPid, pgPid, sys };
    const up = await startPhase(rig, t0, base);
    await steadyPhase(rig, up);
    // 2. Broker restart: every connection drops, the routers come back with the agent's backoff.
    await restartPhase(rig);
    // 3. A staged disable over every router through the API.
    await rolloutPhase(rig);

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
