// `npm run fleet-sim`: N simulated routers against a broker, for load tests of the broker and
// the portal (docs/scale.md). Prints a progress line every few seconds; Ctrl-C (or --duration)
// stops cleanly: every router says goodbye, so no Will fires.
import { readFileSync } from 'node:fs';
import { parseEd25519PublicKey } from '../agent/remote/public-key.ts';
import { parseSimArgs, UsageError, USAGE, type SimArgs } from './args.ts';
import { Fleet, FLEET_DEFAULTS } from './fleet.ts';
import { formatStats } from './fleet-stats.ts';

/** The soft open-files limit from /proc, or null when unreadable. */
function openFilesLimit(): number | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(
      readFileSync('/proc/self/limits', 'utf8'),
    );
    return line?.[1] === undefined ? null : line[1] === 'unlimited' ? Infinity : Number(line[1]);
  } catch {
    return null;
  }
}

function fleetFor(args: SimArgs): Fleet {
  const verifyKey = args.verifyKeyFile
    ? parseEd25519PublicKey(readFileSync(args.verifyKeyFile, 'utf8'))
    : null;
  return new Fleet({
    ...FLEET_DEFAULTS,
    url: args.url,
    routers: args.routers,
    prefix: args.prefix,
    intervalS: args.intervalS,
    verifyKey,
    counts: args.counts,
    seed: args.seed,
    rampS: args.rampS,
    maxConnecting: args.maxConnecting,
    protocolVersion: args.protocolVersion,
    flakyUpS: [3 * args.intervalS, 8 * args.intervalS],
    flakyDownS: [args.intervalS, 3 * args.intervalS],
  });
}

async function main(argv: string[]): Promise<number> {
  let args: SimArgs;
  let fleet: Fleet;
  try {
    args = parseSimArgs(argv);
    fleet = fleetFor(args);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    process.stderr.write(`fleet-sim: ${text}\n${error instanceof UsageError ? USAGE : ''}`);
    return 2;
  }
  // One socket per router; the limit is the caller's to raise (ulimit -n), never ours.
  const limit = openFilesLimit();
  if (limit !== null && limit < args.routers + 64)
    process.stderr.write(
      `fleet-sim: warning: the open-files limit is ${limit}, ${args.routers} routers need more than ${args.routers + 64}: run ulimit -n first\n`,
    );
  const started = Date.now();
  const line = (): string => formatStats(fleet.stats, args.routers, Date.now() - started);
  process.stdout.write(
    `fleet-sim: ${args.routers} routers to ${args.url} (prefix ${args.prefix}, report every ${args.intervalS} s, ${args.verifyKeyFile ? 'signed' : 'unsigned'} control)\n`,
  );
  fleet.start();
  const progress =
    args.statsS > 0
      ? setInterval(() => process.stdout.write(`${line()}\n`), args.statsS * 1000)
      : null;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (args.durationS !== null) setTimeout(resolve, args.durationS * 1000).unref();
  });
  if (progress) clearInterval(progress);
  await fleet.stop();
  const all = fleet.stats.allConnectedMs;
  process.stdout.write(
    `${line()}\nfleet-sim: stopped; all routers had connected ${all === null ? 'never' : `after ${all} ms`}\n`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
