// Budget: the fleet list API at 100,000 routers, p95 of a filtered, sorted page <= 50 ms.
// The routers go in through the store's own batched ingest; the pages are requested through the
// whole HTTP stack (app.request: Bearer token lookup, query parsing, the store's SQL, JSON),
// against PGlite in memory. The facade passes listRouters to the store; nothing else is called.
// Run alone: node --import tsx build/bench-portal-api.ts [routers]
import { AccountsStore } from '../portal/auth/accounts-store.ts';
import { AuditStore } from '../portal/auth/audit-store.ts';
import type { FleetQuery } from '../portal/core/fleet-query.ts';
import { createApp } from '../portal/http/app.ts';
import type { FleetService } from '../portal/service/fleet-service.ts';
import { openDb } from '../portal/store/db.ts';
import { listRouters } from '../portal/store/fleet-queries.ts';
import { migrate } from '../portal/store/migrate.ts';
import { ingestBatch } from '../portal/store/router-ingest.ts';
import { BOOT_A, deviceId, stateDoc, statusDoc } from '../test/portal/support/documents.ts';

const BATCH = 2000;
const REQUESTS = 200;
const MODELS = [
  'Linksys E8450 (UBI)',
  'TP-Link Archer C7 v5',
  'GL.iNet GL-MT6000',
  'Netgear R7800',
];
const PROTOS = ['pppoe', 'dhcp', 'static'];
// Page requests like a NOC's: filters, a sort, a page somewhere in the result.
const QUERIES = [
  'online=true&sort=-last_seen&limit=50',
  'wan_proto=pppoe&applied=true&sort=model&limit=50&offset=1000',
  'model=TP-Link%20Archer%20C7%20v5&sort=-blocked&limit=50',
  'has_error=false&enabled=true&sort=id&limit=100&offset=20000',
  'q=e8450&sort=-first_seen&limit=50',
];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function portalApiBench(
  line: (name: string, value: string) => void,
  routers = 100_000,
): Promise<void> {
  const db = await openDb({});
  try {
    await migrate(db);
    const now = Date.now();
    const loadStart = Date.now();
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
          model: MODELS[n % MODELS.length]!,
          wanProto: PROTOS[n % PROTOS.length]!,
          applied: n % 50 !== 0,
        });
        statuses.push({ id, doc, receivedAtMs: now - (n % 600) * 1000 });
      }
      await ingestBatch(db, { states, statuses });
    }
    line(
      `portal: ${routers} routers loaded into PGlite`,
      `${((Date.now() - loadStart) / 1000).toFixed(1)} s`,
    );

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
      if ((await get(query)).total === 0) throw new Error(`${query}: matches nothing`);
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const start = process.hrtime.bigint();
      await get(QUERIES[i % QUERIES.length]!);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    line(
      `portal: fleet list API p95 at ${routers} routers, PGlite (target <= 50 ms)`,
      `${percentile(times, 95).toFixed(1)} ms (median ${percentile(times, 50).toFixed(1)} ms, ${REQUESTS} pages)`,
    );
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await portalApiBench(
    (name, value) => process.stdout.write(`${name.padEnd(50)} ${value}\n`),
    Number(process.argv[2] ?? 100_000),
  );
