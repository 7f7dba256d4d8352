// Accounts and API tokens: admins only. Each change goes to the audit log with its reason.
import { Hono } from 'hono';
import { ACCOUNT_NAME, AccountExistsError, type AccountsStore } from '../auth/accounts-store.ts';
import type { AuditStore } from '../auth/audit-store.ts';
import { passwordProblem } from '../auth/password-hash.ts';
import { parseRole } from '../auth/roles.ts';
import type { Role } from '../core/operator.ts';
import type { AppEnv } from './app-env.ts';
import { requireRole } from './authenticate.ts';
import { badRequest, HttpError, notFound } from './http-error.ts';
import {
  booleanField,
  onlyFields,
  readJsonObject,
  reasonField,
  requiredString,
  stringField,
  type JsonObject,
} from './json-body.ts';
import { onlyParams } from './query-params.ts';

function role(body: JsonObject, optional: boolean): Role | undefined {
  if (body.role === undefined && optional) return undefined;
  const r = parseRole(body.role);
  if (!r) throw badRequest('role must be viewer, operator or admin');
  return r;
}

function password(body: JsonObject, optional: boolean): string | undefined {
  const value = stringField(body, 'password', { max: 1024, optional });
  if (value === undefined) return undefined;
  const problem = passwordProblem(value);
  if (problem) throw badRequest(problem);
  return value;
}

export function accountRoutes(accounts: AccountsStore, audit: AuditStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/accounts', requireRole('admin'));
  app.use('/accounts/*', requireRole('admin'));
  app.use('/tokens', requireRole('admin'));
  app.use('/tokens/*', requireRole('admin'));

  app.get('/accounts', async (c) => {
    onlyParams(c.req.query(), []);
    return c.json({ items: await accounts.listAccounts() });
  });

  app.post('/accounts', async (c) => {
    const body = await readJsonObject(c);
    onlyFields(body, ['name', 'role', 'password', 'reason']);
    const name = requiredString(body, 'name', { max: 64, pattern: ACCOUNT_NAME });
    const r = role(body, false)!;
    const pw = password(body, true) ?? null;
    const reason = reasonField(body);
    try {
      const created = await accounts.addAccount(name, r, pw);
      await audit.record({
        operator: c.get('operator').name,
        action: 'account.add',
        routers: [],
        reason,
        outcome: 'done',
        detail: { account: name, role: r },
      });
      return c.json(created, 201);
    } catch (e) {
      if (e instanceof AccountExistsError) throw new HttpError(409, 'exists', e.message);
      throw e;
    }
  });

  app.patch('/accounts/:name', async (c) => {
    const name = c.req.param('name');
    const body = await readJsonObject(c);
    onlyFields(body, ['role', 'disabled', 'password', 'reason']);
    const r = role(body, true);
    const disabled = booleanField(body, 'disabled');
    const pw = password(body, true);
    const reason = reasonField(body);
    if (r === undefined && disabled === undefined && pw === undefined)
      throw badRequest('give role, disabled or password to change');
    if (
      name === c.get('operator').name &&
      (disabled === true || (r !== undefined && r !== 'admin'))
    )
      throw badRequest('an admin cannot disable or demote their own account');
    const updated = ACCOUNT_NAME.test(name)
      ? await accounts.updateAccount(name, {
          ...(r !== undefined && { role: r }),
          ...(disabled !== undefined && { disabled }),
          ...(pw !== undefined && { password: pw }),
        })
      : null;
    if (!updated) throw notFound('account');
    await audit.record({
      operator: c.get('operator').name,
      action: 'account.change',
      routers: [],
      reason,
      outcome: 'done',
      detail: {
        account: name,
        ...(r && { role: r }),
        ...(disabled !== undefined && { disabled }),
        ...(pw !== undefined && { password: 'changed' }),
      },
    });
    return c.json(updated);
  });

  app.get('/tokens', async (c) => {
    onlyParams(c.req.query(), []);
    return c.json({ items: await accounts.listTokens() });
  });

  app.post('/tokens', async (c) => {
    const body = await readJsonObject(c);
    onlyFields(body, ['account', 'label', 'reason']);
    const name = requiredString(body, 'account', { max: 64, pattern: ACCOUNT_NAME });
    const label = stringField(body, 'label', { max: 100, optional: true }) ?? '';
    const reason = reasonField(body);
    if (!(await accounts.getAccount(name))) throw notFound('account');
    const { token, info } = await accounts.createToken(name, label);
    await audit.record({
      operator: c.get('operator').name,
      action: 'token.create',
      routers: [],
      reason,
      outcome: 'done',
      detail: { account: name, token: info.id, label },
    });
    return c.json({ token, info }, 201);
  });

  app.delete('/tokens/:id', async (c) => {
    const id = c.req.param('id');
    const body = await readJsonObject(c);
    onlyFields(body, ['reason']);
    const reason = reasonField(body);
    if (!/^\d{1,15}$/.test(id) || !(await accounts.revokeToken(Number(id))))
      throw notFound('token');
    await audit.record({
      operator: c.get('operator').name,
      action: 'token.revoke',
      routers: [],
      reason,
      outcome: 'done',
      detail: { token: Number(id) },
    });
    return c.json({ ok: true });
  });
  return app;
}
