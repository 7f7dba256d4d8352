// `npm run portal`: load the config, open and migrate the database, start the fleet service,
// serve the API; SIGTERM/SIGINT stop it cleanly. One line per event on stderr.
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { AccountsStore } from './auth/accounts-store.ts';
import { AuditStore } from './auth/audit-store.ts';
import { ConfigError } from './config/config-error.ts';
import { loadPortalConfig, type PortalConfig } from './config/portal-config.ts';
import { createApp } from './http/app.ts';
import { startFleetService } from './service/fleet-service.ts';
import { openSigner } from './signing/open-signer.ts';
import { openDb } from './store/db.ts';
import { migrate } from './store/migrate.ts';

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} portal: ${line}\n`);

async function main(): Promise<number> {
  let config: PortalConfig;
  try {
    const { config: loaded, rest } = loadPortalConfig(process.env, process.argv.slice(2));
    if (rest.length > 0)
      throw new ConfigError(`unexpected argument ${JSON.stringify(rest[0])} (only --config FILE)`);
    config = loaded;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`portal: error: ${error.message}\n`);
    return 2;
  }
  if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
  const db = await openDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  log(`database: ${db.kind === 'postgres' ? 'PostgreSQL server' : `PGlite in ${config.dataDir}`}`);
  const applied = await migrate(db);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: up to date');
  const accounts = new AccountsStore(db);
  const audit = new AuditStore(db);
  const signer = await openSigner(config);
  log(
    config.signingKeyFile
      ? `signing key: ${config.signingKeyFile}`
      : 'no signing key (PORTAL_SIGNING_KEY): actions are refused',
  );
  const fleet = await startFleetService({ db, config, signer, audit, log });
  const app = createApp({
    fleet,
    accounts,
    audit,
    settings: config,
    clientAddress: (_request, env) =>
      (env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress ??
      'unknown',
    log,
  });
  const server = serve({
    fetch: app.fetch,
    hostname: config.listen.host,
    port: config.listen.port,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log(`listening on http://${host}:${address.port}`);
  const purge = setInterval(() => void accounts.purgeExpiredSessions().catch(() => {}), 3_600_000);
  purge.unref();

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: stopping`);
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  clearInterval(purge);
  // Stop taking requests; event streams never end by themselves, so close those too.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if ('closeAllConnections' in server) server.closeAllConnections();
  await closed;
  await fleet.stop();
  await db.close();
  log('stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
