// Budgets: the fleet list API at 100,000 routers, p95 of a filtered, sorted page <= 50 ms (every
// filter and sort the API offers, on PGlite here and on PostgreSQL 15 in bench-portal.ts), and
// the overview's and router page's store reads: summary <= 50 ms, top blocked, fleet-wide
// history (720 h) and a router with its actions <= 100 ms p95.
// The routers go in through the store's own batched ingest; the planner statistics are taken
// as the service takes them at start. Pages are requested through the whole HTTP stack
// (app.request: Bearer token lookup, query parsing, the store's SQL, JSON) against PGlite in
// memory. Run alone: node --import tsx build/bench-portal-api.ts [routers] [--postgres] (the
// same reads on a private PostgreSQL 15 cluster instead).
import { loadavg } from 'node:os';
import { AccountsStore } from '../portal/auth/accounts-store.ts';
import { AuditStore } from '../portal/auth/audit-store.ts';
import type { FleetQuery } from '../portal/core/fleet-query.ts';
import { createApp } from '../portal/http/app.ts';
import type { FleetService } from '../portal/service/fleet-service.ts';
import { actionHistory } from '../portal/store/action-store.ts';
import { openDb, type Db } from '../portal/store/db.ts';
import {
  blockedHistory,
  listRouters,
  routerDetail,
  topBlocked,
} from '../portal/store/fleet-queries.ts';
import { fleetSummary } from '../portal/store/fleet-summary.ts';
import { migrate } from '../portal/store/migrate.ts';
import { ingestBatch } from '../portal/store/router-ingest.ts';
import { refreshStatistics } from '../portal/store/statistics.ts';
import { BOOT_A, deviceId, stateDoc, statusDoc } from '../test/portal/support/documents.ts';
import { startPostgresCluster } from '../test/portal/support/postgres-cluster.ts';

type Line = (name: string, value: string) => void;
const BATCH = 2000;
const ROUNDS = 8;
const SUMMARY_CALLS = 48;
const MODELS = [
  'Linksys E8450 (UBI)',
  'TP-Link Archer C7 v5',
  'GL.iNet GL-MT6000',
  'Netgear R7800',
];
const PROTOS = ['pppoe', 'dhcp', 'static'];
// Page requests like a NOC's: every filter and every sort key, a page somewhere in the result.
export const QUERIES = [
  'online=true&sort=-last_seen&limit=50',
  'online=false&sort=last_seen&limit=50',
  'wan_proto=pppoe&applied=true&sort=model&limit=50&offset=1000',
  'applied=false&sort=-last_seen&limit=50',
  'model=TP-Link%20Archer%20C7%20v5&sort=-blocked&limit=50',
  'has_error=false&enabled=true&sort=id&limit=100&offset=2000',
  'has_error=true&sort=-first_seen&limit=50',
  'enabled=false&sort=applied_version&limit=50',
  'backend=iptables&sort=id&limit=50',
  'wan_proto=static&sort=-applied_version&limit=50',
  'not_reporting=true&sort=-last_seen&limit=50',
  'blocked_min=90&sort=-blocked&limit=50',
  'sort=-blocked&limit=50',
  'q=e8450&sort=-first_seen&limit=50',
  'q=0000000123&sort=id&limit=50',
  'sort=-model&limit=50&offset=500',
];

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A fleet of `routers`: 10 % offline, 2 % not applied, 1 % disabled, 0.5 % with an error, ...;
 * with `sources`, every router that blocked something names the LAN host that tried.
 */
export async function fillFleet(
  db: Db,
  routers: number,
  now: number,
  options: { sources?: boolean } = {},
): Promise<void> {
  for (let start = 0; start < routers; start += BATCH) {
    const states = [];
    const statuses = [];
    for (let n = start; n < Math.min(routers, start + BATCH); n++) {
      const id = deviceId(n + 1);
      const at = new Date(now - (n % 600) * 1000).toISOString();
      states.push({ id, doc: stateDoc(n % 10 !== 0, BOOT_A, at), receivedAtMs: now });
      const doc = statusDoc({
        id,
        reportedAt: at,
        blocked: n % 97,
        sources:
          options.sources && n % 97 ? [{ address: `198.51.100.${n % 250}`, attempts: n % 97 }] : [],
        model: MODELS[n % MODELS.length]!,
        wanProto: PROTOS[n % PROTOS.length]!,
        applied: n % 50 !== 0,
        enabled: n % 100 !== 1,
        version: n % 7,
        backend: n % 20 === 3 ? 'iptables' : 'nftables',
        error: n % 200 === 5 ? { code: 'firewall_failed', message: 'nft failed', at } : null,
      });
      statuses.push({ id, doc, receivedAtMs: now - (n % 700) * 1000 });
    }
    await ingestBatch(db, { states, statuses });
  }
  await refreshStatistics(db);
}

/** ms of each call of fn, ROUNDS times over the inputs. */
async function timed<T>(inputs: readonly T[], fn: (input: T) => Promise<unknown>) {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const input of inputs) {
      const start = process.hrtime.bigint();
      await fn(input);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  return times;
}

const ms = (times: number[]) =>
  `${percentile(times, 95).toFixed(1)} ms (median ${percentile(times, 50).toFixed(1)} ms, ${times.length} calls)`;

/** The fleet list through HTTP: every query of QUERIES, ROUNDS times; p95 and the worst query. */
export async function listBench(db: Db, line: Line, label: string): Promise<void> {
  const accounts = new AccountsStore(db);
  await accounts.addAccount('bench', 'viewer', null);
  const { token } = await accounts.createToken('bench', 'bench');
  const clock = () => ({ nowMs: Date.now(), notReportingAfterMs: 600_000 });
  const fleet = {
    listRouters: (q: FleetQuery) => listRouters(db, q, clock()),
  } as unknown as FleetService;
  const app = createApp({
    fleet,
    accounts,
    audit: new AuditStore(db),
    settings: { sessionTtlS: 3600, allowedOrigins: [], loginMaxFailures: 5, loginWindowS: 60 },
    clientAddress: () => '127.0.0.1',
    log: () => {},
  });
  const get = async (query: string) => {
    const res = await app.request(`http://127.0.0.1/api/v1/routers?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`${query}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { items: unknown[]; total: number };
  };
  for (const query of QUERIES)
    if ((await get(query)).items.length === 0) throw new Error(`${query}: matches nothing`);
  const byQuery = new Map<string, number[]>();
  const times = await timed(QUERIES, async (query) => {
    const start = process.hrtime.bigint();
    await get(query);
    const list = byQuery.get(query) ?? [];
    list.push(Number(process.hrtime.bigint() - start) / 1e6);
    byQuery.set(query, list);
  });
  const [worst, worstTimes] = [...byQuery].sort(
    (a, b) => percentile(b[1], 95) - percentile(a[1], 95),
  )[0]!;
  line(
    `portal: fleet list API p95, ${label} (target <= 50 ms)`,
    `${ms(times)}; slowest ${worst} p95 ${percentile(worstTimes, 95).toFixed(1)} ms`,
  );
}

/** The overview's and router page's store reads. */
export async function overviewBench(db: Db, line: Line, label: string, routers: number) {
  const clock = () => ({ nowMs: Date.now(), notReportingAfterMs: 600_000 });
  const ids = Array.from({ length: 10 }, (_, i) => deviceId(1 + ((i * 7919) % routers)));
  const once = [0];
  // A first call of its own, checked (as the list's queries are), then enough calls that the
  // p95 is not simply the slowest of eight.
  const start = process.hrtime.bigint();
  const first = await fleetSummary(db, clock());
  const firstMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (first.routers !== routers || first.online === routers || first.notReporting === 0)
    throw new Error(`summary: ${JSON.stringify(first)}`);
  // The process's CPU time per call too: on PGlite (in process) nearly all of the call's own
  // work, and much less sensitive than wall time to other load on the machine (on a server,
  // only the client's share).
  const cpuMs: number[] = [];
  const summaryTimes = await timed(
    Array.from({ length: SUMMARY_CALLS / ROUNDS }, () => 0),
    async () => {
      const cpu = process.cpuUsage();
      await fleetSummary(db, clock());
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
    },
  );
  line(
    `portal: summary p95, ${label} (target <= 50 ms)`,
    `${ms(summaryTimes)}; process CPU median ${percentile(cpuMs, 50).toFixed(1)} ms; first call ${firstMs.toFixed(1)} ms; ${first.notReporting} not reporting; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  line(
    `portal: top blocked (24 h, 20) p95, ${label} (target <= 100 ms)`,
    ms(await timed(once, () => topBlocked(db, 24, 20, Date.now()))),
  );
  line(
    `portal: fleet blocked history 720 h p95, ${label} (target <= 100 ms)`,
    ms(await timed(once, () => blockedHistory(db, null, 720, Date.now()))),
  );
  line(
    `portal: router + its actions p95, ${label} (target <= 100 ms)`,
    ms(
      await timed(ids, (id) =>
        Promise.all([routerDetail(db, id, clock()), actionHistory(db, id, 50)]),
      ),
    ),
  );
}

export async function portalApiBench(line: Line, routers = 100_000): Promise<void> {
  const db = await openDb({});
  try {
    await migrate(db);
    const loadStart = Date.now();
    await fillFleet(db, routers, Date.now());
    line(
      `portal: ${routers} routers loaded into PGlite`,
      `${((Date.now() - loadStart) / 1000).toFixed(1)} s`,
    );
    line(
      `portal: RSS with PGlite in memory, ${routers} routers`,
      `${Math.round(process.memoryUsage().rss / 1048576)} MB`,
    );
    await listBench(db, line, `${routers} routers, PGlite`);
    await overviewBench(db, line, `${routers} routers, PGlite`, routers);
  } finally {
    await db.close();
  }
}

/** The same reads on a private PostgreSQL 15 cluster (bench-portal.ts runs them after ingest). */
export async function postgresApiBench(line: Line, routers = 100_000): Promise<void> {
  const cluster = startPostgresCluster();
  try {
    const db = await openDb({ databaseUrl: cluster.createDatabase('bench') });
    try {
      await migrate(db);
      await fillFleet(db, routers, Date.now());
      await listBench(db, line, `${routers} routers, PostgreSQL 15`);
      await overviewBench(db, line, `${routers} routers, PostgreSQL 15`, routers);
    } finally {
      await db.close();
    }
  } finally {
    cluster.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const routers = Number(args.find((a) => !a.startsWith('--')) ?? 100_000);
  const line: Line = (name, value) => process.stdout.write(`${name.padEnd(50)} ${value}\n`);
  if (args.includes('--postgres')) await postgresApiBench(line, routers);
  else await portalApiBench(line, routers);
}
