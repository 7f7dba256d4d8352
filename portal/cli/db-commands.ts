// `fleet user add` and `fleet token create`: straight on the database, with the service's own
// configuration (DATABASE_URL or PORTAL_DATA), so the first admin exists before the service runs.
// With PGlite the service must be stopped: a PGlite data directory has one user at a time.
import { userInfo } from 'node:os';
import { ACCOUNT_NAME, AccountExistsError, AccountsStore } from '../auth/accounts-store.ts';
import { AuditStore } from '../auth/audit-store.ts';
import { passwordProblem } from '../auth/password-hash.ts';
import type { PortalConfig } from '../config/portal-config.ts';
import { openDb } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import type { CliCommand } from './cli-args.ts';
import { CliError, EXIT_BAD_INPUT, EXIT_OK, usageError } from './exit-codes.ts';
import type { Io } from './api-commands.ts';

export interface DbIo extends Io {
  readonly readStdin: () => Promise<string>;
}

export async function runDbCommand(
  cmd: CliCommand,
  config: PortalConfig,
  io: DbIo,
): Promise<number> {
  if (cmd.kind !== 'user-add' && cmd.kind !== 'token-create')
    throw new Error(`not a database command: ${cmd.kind}`);
  if (!ACCOUNT_NAME.test(cmd.name))
    throw usageError(
      `${JSON.stringify(cmd.name)} is not an account name (A-Z a-z 0-9 _ . @ -, at most 64)`,
    );
  let password = '';
  if (cmd.kind === 'user-add') {
    // One line (a trailing newline is not part of it), so `echo pw | fleet user add` works.
    password = (await io.readStdin()).replace(/\r?\n$/, '');
    const problem = passwordProblem(password);
    if (problem) throw usageError(`${problem} (the password is read from stdin)`);
  }
  const db = await openDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  try {
    await migrate(db);
    const accounts = new AccountsStore(db);
    const audit = new AuditStore(db);
    const operator = `cli:${userInfo().username}`;
    if (cmd.kind === 'user-add') {
      try {
        await accounts.addAccount(cmd.name, cmd.role, password);
      } catch (e) {
        if (e instanceof AccountExistsError) throw new CliError(EXIT_BAD_INPUT, e.message);
        throw e;
      }
      await audit.record({
        operator,
        action: 'account.add',
        routers: [],
        reason: 'fleet user add (command line)',
        outcome: 'done',
        detail: { account: cmd.name, role: cmd.role },
      });
      process.stderr.write(`fleet: added ${cmd.role} ${cmd.name}\n`);
    } else {
      if (!(await accounts.getAccount(cmd.name)))
        throw new CliError(
          EXIT_BAD_INPUT,
          `no account ${JSON.stringify(cmd.name)} (add it with: fleet user add ${cmd.name} --role ROLE)`,
        );
      const { token, info } = await accounts.createToken(cmd.name, cmd.label);
      await audit.record({
        operator,
        action: 'token.create',
        routers: [],
        reason: 'fleet token create (command line)',
        outcome: 'done',
        detail: { account: cmd.name, token: info.id, label: cmd.label },
      });
      io.out(`${token}\n`);
    }
    return EXIT_OK;
  } finally {
    await db.close();
  }
}
