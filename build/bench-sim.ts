// `npm run bench:sim`: the fleet simulator at scale. A private mosquitto and `npm run fleet-sim`
// with 10,000 routers (both with the open-files limit raised through prlimit, no shell), a
// subscriber that counts what arrives, and the figures: time until every router is online and
// has reported, the simulator's and the broker's RSS and CPU. Everything on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { cpuTicks, freePort, peakRssKb, waitFor } from '../test/mqtt/helpers.ts';

const ROUTERS = Number(process.env.SIM_ROUTERS ?? 10_000);
// Up to the hard limit: raising that needs CAP_SYS_RESOURCE, which a container may not have.
const HARD_NOFILE = Number(
  /^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024,
);
const NOFILE = String(Math.min(ROUTERS + 1024, HARD_NOFILE));
const root = new URL('..', import.meta.url).pathname;
const OUTAGE_S = 5;

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

function portOpen(port: number): boolean {
  // /proc/net/tcp: local address 0100007F:<port hex> in state 0A (LISTEN).
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').includes(`0100007F:${hex} 00000000:0000 0A`);
}

function raised(argv: string[]): ChildProcess {
  return spawn('prlimit', [`--nofile=${NOFILE}:${NOFILE}`, '--', ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface Watch {
  readonly online: Set<string>;
  readonly reported: Set<string>;
  /** Routers announcing themselves (`state` online) per second since the watch began. */
  readonly perSecond: Map<number, number>;
  close(): Promise<void>;
}

/** Counts the fleet's retained and live `state`/`status` messages (QoS 0: cheap for the broker). */
async function watch(url: string): Promise<Watch> {
  const t0 = Date.now();
  const online = new Set<string>();
  const reported = new Set<string>();
  const perSecond = new Map<number, number>();
  const watcher = connect(url, { clientId: `bench-sim-watcher-${t0}`, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    watcher.once('connect', () => resolve());
    watcher.once('error', reject);
  });
  watcher.on('message', (topic, payload) => {
    const id = topic.split('/')[2]!;
    if (topic.endsWith('/status')) reported.add(id);
    else if (topic.endsWith('/state') && payload.includes('"online":true')) {
      online.add(id);
      const second = Math.floor((Date.now() - t0) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
  });
  await watcher.subscribeAsync(['op25b/v1/+/state', 'op25b/v1/+/status'], { qos: 0 });
  return { online, reported, perSecond, close: () => watcher.endAsync() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-bench-sim-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `user ${userInfo().username}\npersistence false\nlog_dest none\nset_tcp_nodelay true\nlistener ${port} 127.0.0.1\nallow_anonymous true\nmax_connections -1\n`,
  );
  const url = `mqtt://127.0.0.1:${port}`;
  const startBroker = async (): Promise<ChildProcess> => {
    const child = raised(['mosquitto', '-c', conf]);
    await waitFor('mosquitto listening', () => (portOpen(port) ? true : undefined), 10_000);
    return child;
  };
  let broker = await startBroker();
  let sim: ChildProcess | null = null;
  try {
    let seen = await watch(url);
    const ramp = process.env.SIM_RAMP ?? '5';
    const t0 = Date.now();
    sim = raised([
      process.execPath, '--import', 'tsx', join(root, 'sim/main.ts'), '--routers', String(ROUTERS),
      '--url', url, '--interval', '60', '--ramp', ramp, '--stats', '0',
    ]); // prettier-ignore
    let simOut = '';
    sim.stdout?.on('data', (chunk: Buffer) => (simOut += chunk.toString()));
    sim.stderr?.on('data', (chunk: Buffer) => (simOut += chunk.toString()));
    const simPid = sim.pid!;
    await waitFor(
      'every router online',
      () => (seen.online.size >= ROUTERS ? true : undefined),
      300_000,
    );
    const connectMs = Date.now() - t0;
    await waitFor(
      'every router reported',
      () => (seen.reported.size >= ROUTERS ? true : undefined),
      300_000,
    );
    const reportMs = Date.now() - t0;
    // prlimit execs its command: the pids are the programs' own.
    const figures = {
      simRss: rssKb(simPid),
      simPeak: peakRssKb(simPid),
      simCpu: cpuTicks(simPid) / 100,
      brokerRss: rssKb(broker.pid!),
      brokerCpu: cpuTicks(broker.pid!) / 100,
    };
    // 30 s of steady state: reports every 60 s with jitter, so about half the fleet reports.
    await sleep(30_000);
    const steadySimCpu = cpuTicks(simPid) / 100 - figures.simCpu;
    const steadyBrokerCpu = cpuTicks(broker.pid!) / 100 - figures.brokerCpu;
    // A broker outage of OUTAGE_S: every connection drops, the routers retry with backoff.
    await seen.close();
    const exited = new Promise((resolve) => broker.once('exit', resolve));
    broker.kill('SIGTERM');
    await exited;
    await sleep(OUTAGE_S * 1000);
    broker = await startBroker();
    const t1 = Date.now();
    seen = await watch(url);
    await waitFor(
      '99 % back',
      () => (seen.online.size >= ROUTERS * 0.99 ? true : undefined),
      600_000,
    );
    const back99Ms = Date.now() - t1;
    await waitFor('all back', () => (seen.online.size >= ROUTERS ? true : undefined), 600_000);
    const backAllMs = Date.now() - t1;
    const peakRate = Math.max(...seen.perSecond.values());
    await seen.close();
    console.log(
      `fleet-sim ${ROUTERS} routers, ramp ${ramp} s, report interval 60 s (${new Date().toISOString()})`,
    );
    console.log(`  all online (retained state seen) after      ${(connectMs / 1000).toFixed(1)} s`);
    console.log(`  all reported (a status from each) after     ${(reportMs / 1000).toFixed(1)} s`);
    console.log(
      `  simulator RSS ${(figures.simRss / 1024).toFixed(0)} MB (peak ${(figures.simPeak / 1024).toFixed(0)} MB), CPU ${figures.simCpu.toFixed(1)} s to connect`,
    );
    console.log(
      `  mosquitto RSS ${(figures.brokerRss / 1024).toFixed(0)} MB, CPU ${figures.brokerCpu.toFixed(1)} s to connect`,
    );
    console.log(
      `  steady state over 30 s: simulator CPU ${steadySimCpu.toFixed(1)} s, mosquitto CPU ${steadyBrokerCpu.toFixed(1)} s`,
    );
    console.log(
      `  broker down ${OUTAGE_S} s, then: 99 % back after ${(back99Ms / 1000).toFixed(1)} s, all after ${(backAllMs / 1000).toFixed(1)} s, peak ${peakRate} routers/s`,
    );
    const simExited = new Promise((resolve) => sim!.once('exit', resolve));
    const stopT0 = Date.now();
    sim.kill('SIGINT');
    await simExited;
    console.log(
      `  clean stop of every router                  ${((Date.now() - stopT0) / 1000).toFixed(1)} s`,
    );
    if (!/all routers had connected after \d+ ms/.test(simOut))
      console.log(`  simulator output: ${simOut}`);
  } finally {
    if (sim && sim.exitCode === null) sim.kill('SIGKILL');
    broker.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
