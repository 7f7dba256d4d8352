// Who may do what, through app.request() over a real PGlite: every route needs credentials,
// roles are enforced, session requests pass the CSRF checks, logins are rate limited; every
// response is checked against the OpenAPI document.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appRoutes, call, ORIGIN, PROXY_ORIGIN, type Call } from './support.ts';
import { apiRig, SQLI } from './api-rig.ts';

const { fleet, checker, api, rig: rigOf, hooks } = apiRig();
const test = suite('api access');
hooks(test);

const samplePath = (path: string) =>
  path
    .replace(
      '{id}',
      path.startsWith('/tokens') ? '1' : path.startsWith('/rollouts') ? 'r1' : 'r-001',
    )
    .replace('{name}', 'viewer1');
const LOGIN = 'POST /login';

test('every route of the app is in the OpenAPI document, and every documented one exists', async () => {
  const doc = (await api('GET', '/openapi.json', '/openapi.json', { token: rigOf().tokens.viewer }))
    .body;
  assert.is(doc.openapi, '3.1.0');
  const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
    Object.keys(ops)
      .filter((m) => m !== 'parameters')
      .map((m) => `${m.toUpperCase()} ${p}`),
  );
  const routes = appRoutes(rigOf().app).map((r) => `${r.method} ${r.path}`);
  assert.ok(routes.length >= 20, `only ${routes.length} routes`);
  assert.equal([...routes].sort(), [...documented].sort());
});

test('every route but login refuses a request without credentials or with a bad token (401)', async () => {
  for (const { method, path } of appRoutes(rigOf().app)) {
    if (`${method} ${path}` === LOGIN) continue;
    for (const opts of [
      {},
      { token: 'op25b_not-a-token' },
      { headers: { authorization: 'Basic YTpi' } },
      { headers: { cookie: 'op25b_session=forged' } },
    ] as Call[]) {
      const res = await api(method, path, samplePath(path), {
        ...opts,
        body: method === 'GET' ? undefined : { reason: 'x' },
      });
      assert.is(res.status, 401, `${method} ${path} ${JSON.stringify(opts)}`);
      assert.is(res.body.error.code, 'unauthorized');
    }
  }
});

test('a viewer cannot act: every state-changing route but logout answers 403', async () => {
  let n = 0;
  for (const { method, path } of appRoutes(rigOf().app)) {
    if (method === 'GET' || `${method} ${path}` === LOGIN || path === '/logout') continue;
    const res = await api(method, path, samplePath(path), {
      token: rigOf().tokens.viewer,
      body: { action: 'disable', reason: 'x', target: { all: true } },
    });
    assert.is(res.status, 403, `${method} ${path}`);
    n++;
  }
  assert.ok(n >= 9, String(n));
  assert.is(fleet.acted.length, 0);
});

test('accounts and tokens are for admins only', async () => {
  for (const token of [rigOf().tokens.viewer, rigOf().tokens.operator])
    for (const path of ['/accounts', '/tokens'])
      assert.is((await api('GET', path, path, { token })).status, 403, path);
  assert.is(
    (await api('GET', '/accounts', '/accounts', { token: rigOf().tokens.admin })).body.items.length,
    3,
  );
});
async function login(name: string, password: string, headers: Record<string, string> = {}) {
  const res = await call(rigOf().app, 'POST', '/login', { body: { name, password }, headers });
  return { res, body: (await res.json()) as any };
}

test('login sets HttpOnly SameSite=Strict cookies; state changes need the CSRF token and own origin', async () => {
  const { res, body } = await login('operator1', 'operator-password-1', {
    'x-test-client': '198.51.100.1',
  });
  assert.is(res.status, 200);
  checker.check('POST', '/login', 200, body);
  const cookies = res.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('op25b_session='))!;
  assert.match(session, /HttpOnly/);
  assert.match(session, /SameSite=Strict/);
  assert.not.match(
    cookies.find((c) => c.startsWith('op25b_csrf='))!,
    /HttpOnly/,
  );
  const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
  const csrf = body.csrfToken as string;
  const action = { action: 'verify', reason: 'check', target: { id: 'r-001' } };
  assert.is((await api('GET', '/me', '/me', { headers: { cookie } })).body.via, 'session');
  const before = fleet.acted.length;
  // A cross-site form post: no CSRF header, foreign origin, form body.
  const form = await api('POST', '/actions', '/actions', {
    headers: {
      cookie,
      origin: 'https://evil.example',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'action=disable&reason=x',
  });
  assert.is(form.status, 403);
  assert.is(
    (
      await api('POST', '/actions', '/actions', {
        headers: { cookie, origin: ORIGIN },
        body: action,
      })
    ).status,
    403,
  );
  assert.is(
    (
      await api('POST', '/actions', '/actions', {
        headers: { cookie, origin: ORIGIN, 'x-csrf-token': 'forged' },
        body: action,
      })
    ).status,
    403,
  );
  assert.is(
    (
      await api('POST', '/actions', '/actions', {
        headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': csrf },
        body: action,
      })
    ).status,
    403,
  );
  assert.is(
    (
      await api('POST', '/actions', '/actions', {
        headers: { cookie, 'sec-fetch-site': 'cross-site', 'x-csrf-token': csrf },
        body: action,
      })
    ).status,
    403,
  );
  // Right token, own origin, but a form body: refused by its type, the service never sees it.
  assert.is(
    (
      await api('POST', '/actions', '/actions', {
        headers: { cookie, origin: ORIGIN, 'x-csrf-token': csrf, 'content-type': 'text/plain' },
        body: JSON.stringify(action),
      })
    ).status,
    415,
  );
  assert.is(fleet.acted.length, before);
  assert.is(
    (
      await api('POST', '/actions', '/actions', {
        headers: { cookie, origin: ORIGIN, 'x-csrf-token': csrf },
        body: action,
      })
    ).status,
    200,
  );
  assert.is(fleet.acted.length, before + 1);
  assert.is(
    (await api('POST', '/logout', '/logout', { headers: { cookie, 'x-csrf-token': csrf } })).status,
    200,
  );
  assert.is((await api('GET', '/me', '/me', { headers: { cookie } })).status, 401);
});

test('behind a TLS proxy (allowed https origin) the cookies are Secure; plain http they are not', async () => {
  const proxied = await login('viewer1', 'viewer-password-1', { origin: PROXY_ORIGIN });
  assert.is(proxied.res.status, 200);
  for (const cookie of proxied.res.headers.getSetCookie()) assert.match(cookie, /; Secure/);
  const plain = await login('viewer1', 'viewer-password-1');
  for (const cookie of plain.res.headers.getSetCookie()) assert.not.match(cookie, /Secure/);
});

test('a login posted from another origin is refused', async () => {
  const { res } = await login('operator1', 'operator-password-1', {
    origin: 'https://evil.example',
  });
  assert.is(res.status, 403);
});

test('login rate limit: after 3 failures even the right password is refused (429)', async () => {
  const h = { 'x-test-client': '203.0.113.5' };
  for (let i = 0; i < 3; i++) assert.is((await login('admin1', `wrong-${i}`, h)).res.status, 401);
  const limited = await login('admin1', 'admin-password-1', h);
  assert.is(limited.res.status, 429);
  checker.check('POST', '/login', 429, limited.body);
  assert.ok(Number(limited.res.headers.get('retry-after')) > 0);
  assert.is((await login(SQLI, 'x', { 'x-test-client': '203.0.113.6' })).res.status, 401);
  assert.is((await rigOf().accounts.listAccounts()).length, 3);
});
test('unknown paths answer 404 JSON, never a stack', async () => {
  const res = await call(rigOf().app, 'GET', '/../../etc/passwd', { token: rigOf().tokens.viewer });
  assert.is(res.status, 404);
  assert.is(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
});

test.run();
