// The simulated routers of `npm start`, in one Node process: a few dozen real agents (see
// agent-router.ts) with a mix of customers, and what happens to them over time: links that drop
// and come back, rules that someone flushes and the agent puts back. Ends on SIGTERM, SIGINT or
// (with --tied) when its standard input closes, after every router said goodbye.
//   node --import tsx start/routers/main.ts --broker mqtt://127.0.0.1:PORT --verify-key FILE \
//     --dir DIR [--routers 40] [--report-interval 60] [--seed 1] [--log FILE] [--tied]
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { simulatedDeviceId, type Profile } from '../../sim/profiles.ts';
import { randomInt, seededRandom, type Random } from '../../sim/random.ts';
import { AgentRouter } from './agent-router.ts';
import { openFlakyLine, type FlakyLine } from './flaky-line.ts';
import { fleetProfiles } from './fleet-mix.ts';

const { values } = parseArgs({
  options: {
    broker: { type: 'string' },
    'verify-key': { type: 'string' },
    dir: { type: 'string' },
    routers: { type: 'string', default: '40' },
    'report-interval': { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    log: { type: 'string' },
    /** Started by npm start: stop when standard input closes (the parent is gone). */
    tied: { type: 'boolean', default: false },
  },
});

const say = (line: string): void => void process.stdout.write(`routers: ${line}\n`);

function fail(message: string): never {
  process.stderr.write(`routers: error: ${message}\n`);
  process.exit(2);
}

const count = Number(values.routers);
if (!Number.isInteger(count) || count < 1 || count > 500) fail('--routers must be 1..500');
const reportIntervalS = Number(values['report-interval']);
if (!Number.isInteger(reportIntervalS) || reportIntervalS < 10)
  fail('--report-interval must be an integer of at least 10 (seconds)');
const brokerUrl = new URL(values.broker ?? fail('--broker is required'));
if (brokerUrl.protocol !== 'mqtt:') fail('--broker must be mqtt://HOST:PORT');
const verifyKeyFile = resolve(values['verify-key'] ?? fail('--verify-key is required'));
const dir = resolve(values.dir ?? fail('--dir is required'));
const logFile = values.log ? resolve(values.log) : null;
const log = (line: string): void => {
  if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
};

const random: Random = seededRandom(Number(values.seed) || 1);
const profiles: Profile[] = fleetProfiles(count, random);
// A router's tmpfs: empty at every start, gone at the end.
const runRoot = mkdtempSync(join(tmpdir(), 'op25b-start-run-'));
const routers: AgentRouter[] = [];
const lines = new Map<string, FlakyLine>();
const timers = new Set<NodeJS.Timeout>();

function later(ms: number, action: () => void): void {
  const timer = setTimeout(() => {
    timers.delete(timer);
    action();
  }, ms);
  timers.add(timer);
}

/** A flaky router: up for a while, then its line drops (Last Will) and comes back. */
function flap(id: string, line: FlakyLine): void {
  later(randomInt(random, 45, 150) * 1000, () => {
    line.cut();
    log(`${id} [fleet] access line down`);
    later(randomInt(random, 20, 60) * 1000, () => {
      line.restore();
      log(`${id} [fleet] access line up`);
      flap(id, line);
    });
  });
}

/** Now and then someone flushes a quiet router's rules; its periodic check puts them back. */
function tamperNowAndThen(): void {
  later(randomInt(random, 120, 300) * 1000, () => {
    const quiet = routers.filter((_, i) => profiles[i] === 'quiet');
    const victim = quiet[randomInt(random, 0, quiet.length - 1)];
    if (victim) {
      victim.backend.tamper('flush');
      log(`${victim.id} [fleet] rules flushed behind the agent's back`);
    }
    tamperNowAndThen();
  });
}

async function main(): Promise<void> {
  for (let index = 0; index < count; index++) {
    const id = simulatedDeviceId(index);
    const profile = profiles[index]!;
    let broker = `mqtt://${brokerUrl.host}`;
    if (profile === 'flaky') {
      const line = await openFlakyLine(brokerUrl.hostname, Number(brokerUrl.port || 1883));
      lines.set(id, line);
      broker = `mqtt://127.0.0.1:${line.port}`;
    }
    const router = new AgentRouter({
      index,
      id,
      profile,
      broker,
      verifyKeyFile,
      routerDir: join(dir, id),
      runDir: join(runRoot, id),
      reportIntervalS,
      random,
      log,
    });
    routers.push(router);
    router.start();
  }
  for (const [id, line] of lines) flap(id, line);
  tamperNowAndThen();
  const mix = profiles.reduce<Record<string, number>>(
    (m, p) => ({ ...m, [p]: (m[p] ?? 0) + 1 }),
    {},
  );
  say(
    `${count} started (${Object.entries(mix)
      .map(([p, n]) => `${n} ${p}`)
      .join(', ')}), ids ${simulatedDeviceId(0)}..${simulatedDeviceId(count - 1)}`,
  );
}

let stopping = false;
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${why}: stopping ${routers.length} routers`);
  for (const timer of timers) clearTimeout(timer);
  await Promise.all(routers.map((router) => router.stop()));
  await Promise.all([...lines.values()].map((line) => line.close()));
  rmSync(runRoot, { recursive: true, force: true });
  say('stopped');
  process.exit(0);
}

process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
if (values.tied) {
  process.stdin.on('end', () => void stop('parent gone'));
  process.stdin.resume();
}
main().catch((error: unknown) => {
  process.stderr.write(
    `routers: error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  void stop('error');
});
