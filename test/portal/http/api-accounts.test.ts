// Accounts and API tokens through app.request(): adding and changing accounts, creating and
// revoking tokens (never listed, stored hashed), each change audited.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiRig } from './api-rig.ts';

const { api, rig: rigOf, hooks } = apiRig();
const test = suite('api accounts');
hooks(test);

test('accounts and tokens: add, change, token create/revoke, each audited', async () => {
  const a = rigOf().tokens.admin;
  assert.is(
    (
      await api('POST', '/accounts', '/accounts', {
        token: a,
        body: { name: 'noc2', role: 'viewer', password: 'short', reason: 'x' },
      })
    ).status,
    400,
  );
  assert.is(
    (
      await api('POST', '/accounts', '/accounts', {
        token: a,
        body: { name: 'noc2', role: 'viewer', password: 'long enough pw' },
      })
    ).status,
    400,
  );
  assert.is(
    (
      await api('POST', '/accounts', '/accounts', {
        token: a,
        body: { name: 'noc2', role: 'viewer', password: 'long enough pw', reason: 'new hire' },
      })
    ).status,
    201,
  );
  assert.is(
    (
      await api('POST', '/accounts', '/accounts', {
        token: a,
        body: { name: 'noc2', role: 'viewer', reason: 'again' },
      })
    ).status,
    409,
  );
  assert.is(
    (
      await api('PATCH', '/accounts/{name}', '/accounts/noc2', {
        token: a,
        body: { role: 'operator', reason: 'promoted' },
      })
    ).body.role,
    'operator',
  );
  assert.is(
    (
      await api('PATCH', '/accounts/{name}', '/accounts/admin1', {
        token: a,
        body: { disabled: true, reason: 'oops' },
      })
    ).status,
    400,
  );
  const made = await api('POST', '/tokens', '/tokens', {
    token: a,
    body: { account: 'noc2', label: 'script', reason: 'automation' },
  });
  assert.is(made.status, 201);
  const token = made.body.token as string;
  assert.is((await api('GET', '/me', '/me', { token })).body.operator.role, 'operator');
  const listed = await api('GET', '/tokens', '/tokens', { token: a });
  assert.not.ok(JSON.stringify(listed.body).includes(token), 'tokens are never listed');
  assert.is(
    (
      await api('DELETE', '/tokens/{id}', `/tokens/${made.body.info.id}`, {
        token: a,
        body: { reason: 'leaked' },
      })
    ).status,
    200,
  );
  assert.is((await api('GET', '/me', '/me', { token })).status, 401);
  const audit = await api('GET', '/audit', '/audit?operator=admin1', { token: a });
  assert.equal(
    audit.body.items.map((e: { action: string }) => e.action),
    ['token.revoke', 'token.create', 'account.change', 'account.add'],
  );
  const rows = await rigOf().db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
  assert.ok(rows.rows.every((r) => !r.token_hash.includes(token) && r.token_hash.length === 64));
});

test.run();
