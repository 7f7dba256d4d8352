// How low PGlite's cost per status can go when parts of the schema's work are taken away (issue 7;
// docs/budgets.md, "The floor of a row write per status on PGlite"). The store alone, in process,
// data directory on disk, 10,000 routers known: batches of 1,000 statuses go through the real
// ingestBatch and vacuum keeper, with each variant's SQL run after the migrations. Variants run in
// turn, round after round, because this machine's speed drifts from minute to minute. A trial, not
// a bench: the variants break what the portal promises (no WAL, no indexes).
// Run: [TRIAL_BATCH=n] node --import tsx build/trial-pglite-floor.ts [seconds a run] [rounds] [variant...]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusDoc } from '../contract/message-types.ts';
import { openDb, type Db } from '../portal/store/db.ts';
import { migrate } from '../portal/store/migrate.ts';
import { vacuumKeeper } from '../portal/store/pglite-vacuum.ts';
import { ingestBatch, type RouterMessage } from '../portal/store/router-ingest.ts';
import { loadFleet } from './bench-portal-ingest.ts';
import { benchStatusDoc } from './bench-statuses.ts';

const FLEET = 10_000;
// TRIAL_BATCH: statuses a batch (at most FLEET, so a batch never holds a router twice).
const BATCH = Math.min(Number(process.env.TRIAL_BATCH ?? 1000), FLEET);

const forEach = (select: string, statement: string) =>
  `DO $$ DECLARE r record; BEGIN FOR r IN ${select} LOOP EXECUTE ${statement}; END LOOP; END $$;`;
const DROP_INDEXES = forEach(
  `SELECT indexrelid::regclass AS i FROM pg_index
    WHERE indrelid = 'routers'::regclass AND NOT indisprimary`,
  `format('DROP INDEX %s', r.i)`,
);
// A logged table may not reference an unlogged one: the foreign keys go first.
const NO_WAL = `${forEach(
  `SELECT conrelid::regclass AS t, conname FROM pg_constraint
    WHERE contype = 'f' AND confrelid = 'routers'::regclass`,
  `format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname)`,
)}
ALTER TABLE routers SET UNLOGGED; ALTER TABLE blocked_hourly SET UNLOGGED;
ALTER TABLE router_sources SET UNLOGGED; ALTER TABLE blocked_fleet_hourly SET UNLOGGED;`;

interface Variant {
  readonly sql: string;
  /** Statuses carry a blocked delta and a LAN-source delta (the bench's worst case). */
  readonly deltas: boolean;
}

const VARIANTS: Record<string, Variant> = {
  main: { sql: '', deltas: true },
  'no-wal': { sql: NO_WAL, deltas: true },
  'primary-key-only': { sql: DROP_INDEXES, deltas: true },
  'primary-key-only-no-wal': { sql: `${DROP_INDEXES} ${NO_WAL}`, deltas: true },
  'no-deltas': { sql: '', deltas: false },
};

function batch(done: number, base: number, deltas: boolean): RouterMessage<StatusDoc>[] {
  const out = [];
  for (let k = done; k < done + BATCH; k++)
    out.push({ ...benchStatusDoc(k, FLEET, base, deltas), receivedAtMs: Date.now() });
  return out;
}

/** CPU microseconds a message and messages a second of one variant over `seconds`. */
async function run(variant: Variant, seconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-trial-floor-'));
  const db: Db = await openDb({ dataDir: dir });
  try {
    await migrate(db);
    if (variant.sql) await db.exec(variant.sql);
    const now = Date.now();
    await loadFleet(db, FLEET, now);
    const vacuum = vacuumKeeper(db);
    let done = 0;
    const step = async () => {
      const statuses = batch(done, now + 1000, variant.deltas);
      await vacuum.after((await ingestBatch(db, { states: [], statuses })).written);
      done += BATCH;
    };
    for (let k = 0; k < 10; k++) await step(); // warm up: one round of the fleet
    const cpu = process.cpuUsage();
    const started = Date.now();
    const from = done;
    while (Date.now() - started < seconds * 1000) await step();
    const used = process.cpuUsage(cpu);
    const messages = done - from;
    return {
      usPerMessage: (used.user + used.system) / messages,
      rate: messages / ((Date.now() - started) / 1000),
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const [secondsArg, roundsArg, ...names] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 10);
const rounds = Number(roundsArg ?? 2);
const chosen = names.length > 0 ? names : Object.keys(VARIANTS);
for (const name of chosen) if (!VARIANTS[name]) throw new Error(`no variant ${name}`);
for (let r = 1; r <= rounds; r++) {
  for (const name of chosen) {
    const { usPerMessage, rate } = await run(VARIANTS[name]!, seconds);
    console.log(
      `round ${r} ${name.padEnd(24)} ${usPerMessage.toFixed(1)} us/message, ` +
        `${Math.round(rate)}/s (load ${loadavg()[0]!.toFixed(1)})`,
    );
  }
}
