// Accounts, sessions and API tokens in the database (tables of migration 050). The one module
// that holds their SQL; everything else sees typed records. Every value goes in as a parameter.
import type { Operator, Role } from '../core/operator.ts';
import type { Db } from '../store/db.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { newApiToken, newSecret, secretHash } from './secret-token.ts';

export interface Account {
  readonly name: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly createdAt: string;
}

export interface ApiTokenInfo {
  readonly id: number;
  readonly account: string;
  readonly label: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revoked: boolean;
}

export interface Session {
  readonly operator: Operator;
  readonly csrfToken: string;
}

/** Names are what the audit log shows: short, printable, no spaces. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

type AccountRow = { name: string; role: Role; disabled: boolean; created_at: Date };
type TokenRow = {
  id: number;
  account: string;
  label: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const account = (r: AccountRow): Account => ({
  name: r.name,
  role: r.role,
  disabled: r.disabled,
  createdAt: r.created_at.toISOString(),
});
const tokenInfo = (r: TokenRow): ApiTokenInfo => ({
  id: r.id,
  account: r.account,
  label: r.label,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revoked: r.revoked_at !== null,
});

export class AccountsStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates an account; throws when the name exists. */
  async addAccount(name: string, role: Role, password: string | null): Promise<Account> {
    const hash = password === null ? null : await hashPassword(password);
    const { rows } = await this.db.query<AccountRow>(
      `INSERT INTO accounts (name, role, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING name, role, disabled, created_at`,
      [name, role, hash],
    );
    if (rows.length === 0) throw new AccountExistsError(name);
    return account(rows[0]!);
  }

  async listAccounts(): Promise<Account[]> {
    const { rows } = await this.db.query<AccountRow>(
      'SELECT name, role, disabled, created_at FROM accounts ORDER BY name',
    );
    return rows.map(account);
  }

  async getAccount(name: string): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(
      'SELECT name, role, disabled, created_at FROM accounts WHERE name = $1',
      [name],
    );
    return rows[0] ? account(rows[0]) : null;
  }

  /** Changes role, disabled flag or password; a disabled account loses its sessions. */
  async updateAccount(
    name: string,
    change: { role?: Role; disabled?: boolean; password?: string },
  ): Promise<Account | null> {
    const hash = change.password === undefined ? null : await hashPassword(change.password);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<AccountRow>(
        `UPDATE accounts SET role = COALESCE($2, role), disabled = COALESCE($3, disabled),
           password_hash = COALESCE($4, password_hash)
         WHERE name = $1 RETURNING name, role, disabled, created_at`,
        [name, change.role ?? null, change.disabled ?? null, hash],
      );
      if (rows.length === 0) return null;
      if (change.disabled || change.password !== undefined || change.role !== undefined)
        await tx.query('DELETE FROM sessions WHERE account = $1', [name]);
      return account(rows[0]!);
    });
  }

  /** The operator for a name and password, or null (unknown, disabled, no or wrong password). */
  async checkPassword(name: string, password: string): Promise<Operator | null> {
    const { rows } = await this.db.query<{
      role: Role;
      password_hash: string | null;
      disabled: boolean;
    }>('SELECT role, password_hash, disabled FROM accounts WHERE name = $1', [name]);
    const row = rows[0];
    // Hash anyway for unknown names, so timing does not tell which names exist.
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    return ok && row && !row.disabled && row.password_hash !== null
      ? { name, role: row.role }
      : null;
  }

  /** Starts a session; returns its id (for the cookie) and CSRF token. */
  async createSession(name: string, ttlS: number): Promise<{ id: string; csrfToken: string }> {
    const id = newSecret();
    const csrfToken = newSecret();
    await this.db.query(
      'INSERT INTO sessions (id_hash, account, csrf_token, expires_at) VALUES ($1, $2, $3, $4)',
      [secretHash(id), name, csrfToken, new Date(this.now().getTime() + ttlS * 1000)],
    );
    return { id, csrfToken };
  }

  /** The live session for a cookie's id, sliding its expiry forward; null when none. */
  async session(id: string, ttlS: number): Promise<Session | null> {
    const now = this.now();
    const { rows } = await this.db.query<{ account: string; role: Role; csrf_token: string }>(
      `UPDATE sessions s SET expires_at = $3
       FROM accounts a
       WHERE s.id_hash = $1 AND s.expires_at > $2 AND a.name = s.account AND NOT a.disabled
       RETURNING s.account, a.role, s.csrf_token`,
      [secretHash(id), now, new Date(now.getTime() + ttlS * 1000)],
    );
    const row = rows[0];
    return row
      ? { operator: { name: row.account, role: row.role }, csrfToken: row.csrf_token }
      : null;
  }

  async endSession(id: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE id_hash = $1', [secretHash(id)]);
  }

  async purgeExpiredSessions(): Promise<number> {
    const { rows } = await this.db.query(
      'DELETE FROM sessions WHERE expires_at <= $1 RETURNING 1',
      [this.now()],
    );
    return rows.length;
  }

  /** Makes an API token acting as the account; the token itself is returned once, never stored. */
  async createToken(name: string, label: string): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = newApiToken();
    const { rows } = await this.db.query<TokenRow>(
      `INSERT INTO api_tokens (account, label, token_hash) VALUES ($1, $2, $3)
       RETURNING id, account, label, created_at, last_used_at, revoked_at`,
      [name, label, secretHash(token)],
    );
    return { token, info: tokenInfo(rows[0]!) };
  }

  async listTokens(): Promise<ApiTokenInfo[]> {
    const { rows } = await this.db.query<TokenRow>(
      'SELECT id, account, label, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id',
    );
    return rows.map(tokenInfo);
  }

  async revokeToken(id: number): Promise<boolean> {
    const { rows } = await this.db.query(
      'UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING 1',
      [id, this.now()],
    );
    return rows.length > 0;
  }

  /** The operator a bearer token acts as, or null (unknown, revoked, account disabled). */
  async operatorForToken(token: string): Promise<Operator | null> {
    const { rows } = await this.db.query<{
      id: number;
      account: string;
      role: Role;
      last_used_at: Date | null;
    }>(
      `SELECT t.id, t.account, a.role, t.last_used_at FROM api_tokens t
       JOIN accounts a ON a.name = t.account
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT a.disabled`,
      [secretHash(token)],
    );
    const row = rows[0];
    if (!row) return null;
    const now = this.now();
    // Write last use at most once a minute, so scripts polling the API cost no write each.
    if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() > 60_000)
      await this.db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [row.id, now]);
    return { name: row.account, role: row.role };
  }
}

export class AccountExistsError extends Error {
  constructor(readonly account: string) {
    super(`account ${JSON.stringify(account)} exists already`);
    this.name = 'AccountExistsError';
  }
}

// A valid hash of a random password, checked against when the name is unknown.
let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(newSecret()));
