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
// build/bench.ts prints the same lines in `npm run bench`. This entry reads the arguments and runs
// build/bench-sim-run.ts once per database; each phase has its own file beside it.
import { readFileSync } from 'node:fs';
import type { BenchDb, Line } from './bench-sim-figures.ts';
import { fleetScaleRun } from './bench-sim-run.ts';

export type { BenchDb } from './bench-sim-figures.ts';
export { fleetScaleRun } from './bench-sim-run.ts';

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
