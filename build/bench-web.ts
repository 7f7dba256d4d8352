// Budgets of the web pages: with 100,000 routers in the database, the fleet page ready (its table
// rendered) <= 1 s after navigation and the router page <= 500 ms, in Chromium; the JavaScript
// and CSS the browser downloads <= 150 KB gzip. The routers go in through the store's batched
// ingest (as build/bench-portal-api.ts fills it), into PGlite in memory; the real app (API and
// pages) is served over HTTP on 127.0.0.1; times are the page's own performance.now() (from the
// start of the navigation) when the table or the router's facts are in the document.
// Run alone: node --import tsx build/bench-web.ts [routers]
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { AccountsStore } from '../portal/auth/accounts-store.ts';
import { AuditStore } from '../portal/auth/audit-store.ts';
import { createApp } from '../portal/http/app.ts';
import { WEB_DIST } from '../portal/http/web-routes.ts';
import type { FleetService } from '../portal/service/fleet-service.ts';
import { actionHistory } from '../portal/store/action-store.ts';
import { blockedSeries } from '../portal/store/blocked-series.ts';
import { openDb, type Db } from '../portal/store/db.ts';
import {
  blockedHistory,
  listRouters,
  routerDetail,
  topBlocked,
} from '../portal/store/fleet-queries.ts';
import { fleetSummary } from '../portal/store/fleet-summary.ts';
import { migrate } from '../portal/store/migrate.ts';
import { deviceId } from '../test/portal/support/documents.ts';
import { fillFleet, percentile } from './bench-portal-api.ts';

const LOADS = 10;
// Views a NOC opens: the default, filtered, sorted by blocked attempts, a search, a far page.
const FLEET_VIEWS = [
  '/fleet',
  '/fleet?online=true&sort=-last_seen',
  '/fleet?sort=-blocked',
  '/fleet?q=e8450',
  '/fleet?wan_proto=pppoe&applied=true&sort=model&offset=200',
];

/** What the pages call of the service, straight over the store (no broker needed to read). */
function readOnlyFleet(db: Db): FleetService {
  const clock = () => ({ nowMs: Date.now(), notReportingAfterMs: 600_000 });
  return {
    listRouters: (q) => listRouters(db, q, clock()),
    summary: () => fleetSummary(db, clock()),
    getRouter: (id) => routerDetail(db, id, clock()),
    blockedHistory: (id, hours) => blockedHistory(db, id, hours, Date.now()),
    blockedSeries: (ids, hours) => blockedSeries(db, ids, hours, Date.now()),
    topBlocked: (hours, limit) => topBlocked(db, hours, limit, Date.now()),
    actionHistory: (id, limit) => actionHistory(db, id, limit),
    onEvent: () => () => {},
  } as Partial<FleetService> as FleetService;
}

export function webBundleGzipBytes(): number {
  return ['app.js', 'app.css']
    .map((name) => gzipSync(readFileSync(new URL(name, WEB_DIST)), { level: 9 }).length)
    .reduce((a, b) => a + b, 0);
}

export async function webBench(
  line: (name: string, value: string) => void,
  routers = 100_000,
): Promise<void> {
  const bytes = webBundleGzipBytes();
  line('web: JS + CSS gzip (target <= 150 KB)', `${(bytes / 1024).toFixed(1)} KB`);
  const db = await openDb({});
  const server = { close: () => {} } as { close: () => void };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    await migrate(db);
    const loadStart = Date.now();
    await fillFleet(db, routers, Date.now(), { sources: true });
    line(
      `web: ${routers} routers loaded into PGlite`,
      `${((Date.now() - loadStart) / 1000).toFixed(1)} s`,
    );
    const accounts = new AccountsStore(db);
    await accounts.addAccount('bench', 'viewer', 'bench-password-1');
    const app = createApp({
      fleet: readOnlyFleet(db),
      accounts,
      audit: new AuditStore(db),
      settings: { sessionTtlS: 3600, allowedOrigins: [], loginMaxFailures: 5, loginWindowS: 60 },
      clientAddress: () => '127.0.0.1',
      log: () => {},
    });
    const http = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    server.close = () => http.close();
    await new Promise<void>((resolve) => http.once('listening', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const context = await browser.newContext({
      baseURL: base,
      viewport: { width: 1366, height: 768 },
    });
    const login = await context.request.post('/api/v1/login', {
      data: { name: 'bench', password: 'bench-password-1' },
    });
    if (login.status() !== 200) throw new Error(`login: ${login.status()}`);
    const page = await context.newPage();
    const readyAt = async (path: string, selector: string): Promise<number> => {
      await page.goto(path, { waitUntil: 'commit' });
      await page.locator(selector).first().waitFor({ timeout: 30_000 });
      return (await page.evaluate('performance.now()')) as number;
    };
    const fleetReady = '[data-testid="fleet-table"][data-state="ready"] tbody tr';
    // One cold load (the bundle not yet cached), not counted.
    const cold = await readyAt('/fleet', fleetReady);
    const fleet: number[] = [];
    for (let i = 0; i < LOADS; i++)
      fleet.push(await readyAt(FLEET_VIEWS[i % FLEET_VIEWS.length]!, fleetReady));
    line(
      `web: fleet page ready at ${routers} routers (target <= 1000 ms)`,
      `median ${percentile(fleet, 50).toFixed(0)} ms, p95 ${percentile(fleet, 95).toFixed(0)} ms (${LOADS} loads; first, uncached: ${cold.toFixed(0)} ms)`,
    );
    const router: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const id = deviceId(1 + Math.floor(((i + 0.5) * routers) / LOADS));
      router.push(await readyAt(`/routers/${id}`, '[data-testid="router-ready"]'));
    }
    line(
      `web: router page ready at ${routers} routers (target <= 500 ms)`,
      `median ${percentile(router, 50).toFixed(0)} ms, p95 ${percentile(router, 95).toFixed(0)} ms (${LOADS} loads)`,
    );
  } finally {
    await browser.close();
    server.close();
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await webBench(
    (name, value) => process.stdout.write(`${name.padEnd(50)} ${value}\n`),
    Number(process.argv[2] ?? 100_000),
  );
