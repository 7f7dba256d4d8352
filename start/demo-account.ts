// `npm start`'s demo login, made straight on the portal's database before the portal starts
// (a PGlite directory has one user at a time), in a process of its own so that PGlite's memory
// goes when it ends. Adds the account on the first start; later, sets the password again only
// if it no longer matches the stored one (a new data/demo-password). Both go to the audit log.
//   PORTAL_DATA=... node --import tsx start/demo-account.ts NAME < password
import { AccountsStore } from '../portal/auth/accounts-store.ts';
import { AuditStore } from '../portal/auth/audit-store.ts';
import { loadPortalConfig } from '../portal/config/portal-config.ts';
import { openDb } from '../portal/store/db.ts';
import { migrate } from '../portal/store/migrate.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function main(): Promise<string> {
  const name = process.argv[2] ?? 'demo';
  const password = await readStdin();
  const { config } = loadPortalConfig(process.env);
  const db = await openDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  try {
    await migrate(db);
    const accounts = new AccountsStore(db);
    const audit = new AuditStore(db);
    const record = (action: string, reason: string) =>
      audit.record({ operator: 'cli:npm-start', action, routers: [], reason, outcome: 'done' });
    if (!(await accounts.getAccount(name))) {
      // Admin, so that every page of the demo (accounts and API tokens too) can be seen.
      await accounts.addAccount(name, 'admin', password);
      await record('account.add', 'npm start: demo login');
      return `added admin ${name}`;
    }
    if (await accounts.checkPassword(name, password)) return `${name}: password unchanged`;
    await accounts.updateAccount(name, { password, disabled: false });
    await record('account.update', 'npm start: demo password reset to data/demo-password');
    return `${name}: password set again`;
  } finally {
    await db.close();
  }
}

main().then(
  (line) => {
    process.stderr.write(`demo-account: ${line}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(
      `demo-account: error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
