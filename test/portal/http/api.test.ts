// The HTTP API through app.request() over a real PGlite, with an in-memory FleetService:
// authentication and roles on every route, CSRF, the login limit, parsing, CSV and SSE, and
// every response checked against the OpenAPI document.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  appRoutes,
  call,
  openRig,
  ORIGIN,
  responseChecker,
  type Call,
  type Rig,
} from './support.ts';
import { FakeFleet, router } from './fake-fleet.ts';

const XSS = '<script>alert(1)</script>';
const SQLI = "'; DROP TABLE accounts; --";
const fleet = new FakeFleet([
  router('r-001'),
  router('r-002', { online: false, model: XSS }),
  router('r-003', {
    model: '=HYPERLINK("http://evil.example","x")',
    board: SQLI,
    lastError: { code: 'E', message: '+cmd|/c calc' },
  }),
]);
const checker = responseChecker();
let rig: Rig;

const test = suite('api');
test.before(async () => {
  rig = await openRig(fleet);
  fleet.audit = rig.audit;
});
test.after(async () => {
  await rig.db.close();
  console.log(`  (${checker.checked} responses checked against the OpenAPI document)`);
});

/** Calls and validates the answer against the OpenAPI document; returns status and body. */
async function api(method: string, spec: string, path: string, opts: Call = {}) {
  const res = await call(rig.app, method, path, opts);
  const body = res.headers.get('content-type')?.startsWith('application/json')
    ? await res.json()
    : await res.text();
  if (typeof body !== 'string') checker.check(method, spec, res.status, body);
  return { status: res.status, body: body as any, headers: res.headers };
}

const samplePath = (path: string) =>
  path
    .replace(
      '{id}',
      path.startsWith('/tokens') ? '1' : path.startsWith('/rollouts') ? 'r1' : 'r-001',
    )
    .replace('{name}', 'viewer1');
const LOGIN = 'POST /login';

test('every route of the app is in the OpenAPI document, and every documented one exists', async () => {
  const doc = (await api('GET', '/openapi.json', '/openapi.json', { token: rig.tokens.viewer }))
    .body;
  assert.is(doc.openapi, '3.1.0');
  const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
    Object.keys(ops)
      .filter((m) => m !== 'parameters')
      .map((m) => `${m.toUpperCase()} ${p}`),
  );
  const routes = appRoutes(rig.app).map((r) => `${r.method} ${r.path}`);
  assert.ok(routes.length >= 20, `only ${routes.length} routes`);
  assert.equal([...routes].sort(), [...documented].sort());
});

test('every route but login refuses a request without credentials or with a bad token (401)', async () => {
  for (const { method, path } of appRoutes(rig.app)) {
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
  for (const { method, path } of appRoutes(rig.app)) {
    if (method === 'GET' || `${method} ${path}` === LOGIN || path === '/logout') continue;
    const res = await api(method, path, samplePath(path), {
      token: rig.tokens.viewer,
      body: { action: 'disable', reason: 'x', target: { all: true } },
    });
    assert.is(res.status, 403, `${method} ${path}`);
    n++;
  }
  assert.ok(n >= 9, String(n));
  assert.is(fleet.acted.length, 0);
});

test('accounts and tokens are for admins only', async () => {
  for (const token of [rig.tokens.viewer, rig.tokens.operator])
    for (const path of ['/accounts', '/tokens'])
      assert.is((await api('GET', path, path, { token })).status, 403, path);
  assert.is(
    (await api('GET', '/accounts', '/accounts', { token: rig.tokens.admin })).body.items.length,
    3,
  );
});

test('fleet list: typed paging, sorting, filters and q reach the service; bad ones are 400', async () => {
  const res = await api('GET', '/routers', '/routers?limit=2&offset=0&sort=-id&online=true&q=r-0', {
    token: rig.tokens.viewer,
  });
  assert.is(res.status, 200);
  assert.equal(
    res.body.items.map((r: { id: string }) => r.id),
    ['r-003', 'r-001'],
  );
  assert.is(res.body.total, 2);
  const q = fleet.queries.at(-1)!;
  assert.equal(
    [q.limit, q.offset, q.sort, q.order, q.online, q.q],
    [2, 0, 'id', 'desc', true, 'r-0'],
  );
  for (const bad of [
    'limit=0',
    'limit=abc',
    'online=yes',
    'sort=password',
    'backend=pf',
    'bogus=1',
    'offset=-1',
  ])
    assert.is(
      (await api('GET', '/routers', `/routers?${bad}`, { token: rig.tokens.viewer })).status,
      400,
      bad,
    );
});

test('summary, router record, histories and top-blocked fit the document', async () => {
  const t = { token: rig.tokens.viewer };
  assert.is((await api('GET', '/summary', '/summary', t)).body.routers, 3);
  assert.is((await api('GET', '/routers/{id}', '/routers/r-002', t)).body.model, XSS);
  assert.is((await api('GET', '/routers/{id}', '/routers/nope', t)).status, 404);
  assert.is(
    (await api('GET', '/routers/{id}', `/routers/${encodeURIComponent(SQLI)}`, t)).status,
    404,
  );
  assert.is(
    (await api('GET', '/routers/{id}/blocked', '/routers/r-001/blocked?hours=48', t)).body.items[0]
      .blocked,
    48,
  );
  assert.is((await api('GET', '/routers/{id}/actions', '/routers/r-001/actions', t)).status, 200);
  assert.is((await api('GET', '/blocked', '/blocked', t)).status, 200);
  assert.is((await api('GET', '/top-blocked', '/top-blocked?limit=2', t)).body.items.length, 2);
  assert.is((await api('GET', '/blocked', '/blocked?hours=0', t)).status, 400);
});

test('device strings come back as the same inert JSON string, with nosniff and a strict CSP', async () => {
  const res = await call(rig.app, 'GET', '/routers/r-002', { token: rig.tokens.viewer });
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.is(((await res.json()) as { model: string }).model, XSS);
});

test('actions need the operator role and a reason; the audit log gets operator and reason', async () => {
  const t = rig.tokens.operator;
  const noReason = await api('POST', '/actions', '/actions', {
    token: t,
    body: { action: 'disable', target: { id: 'r-001' } },
  });
  assert.is(noReason.status, 400);
  assert.is(noReason.body.error.code, 'reason_required');
  for (const body of [
    { action: 'explode', reason: 'x', target: { id: 'r-001' } },
    { action: 'disable', reason: 'x', target: { id: 'r-001', all: true } },
    { action: 'disable', reason: 'x', target: { ids: [] } },
    { action: 'disable', reason: 'x', target: { id: SQLI } },
    { action: 'disable', reason: 'x', target: { filter: { online: 'maybe' } } },
    { action: 'disable', reason: 'x', target: { filter: { limit: 5 } } },
    { action: 'policy', reason: 'x', target: { all: true } },
    { action: 'policy', reason: 'x', target: { all: true }, policy: { ports: [0] } },
    { action: 'disable', reason: 'x', target: { all: true }, extra: 1 },
  ])
    assert.is(
      (await api('POST', '/actions', '/actions', { token: t, body })).status,
      400,
      JSON.stringify(body),
    );
  assert.is(fleet.acted.length, 0);
  const ok = await api('POST', '/actions', '/actions', {
    token: t,
    body: {
      action: 'disable',
      reason: 'customer SMTP relay, ticket 42',
      target: { ids: ['r-001', 'r-002', 'r-001'] },
    },
  });
  assert.is(ok.status, 200);
  assert.is(ok.body.published, 2);
  assert.equal(fleet.acted[0]!.req.target, { kind: 'list', ids: ['r-001', 'r-002'] });
  assert.equal(fleet.acted[0]!.by, { name: 'operator1', role: 'operator' });
  const filtered = await api('POST', '/actions', '/actions', {
    token: t,
    body: {
      action: 'reapply',
      reason: 'rules lost',
      target: { filter: { online: true, model: XSS } },
    },
  });
  assert.is(filtered.status, 200);
  const target = fleet.acted[1]!.req.target;
  assert.ok(target.kind === 'filter' && target.query.online === true && target.query.model === XSS);
  const audit = await api('GET', '/audit', '/audit?operator=operator1&action=disable', {
    token: rig.tokens.viewer,
  });
  assert.is(audit.body.total, 1);
  assert.is(audit.body.items[0].reason, 'customer SMTP relay, ticket 42');
  assert.equal(audit.body.items[0].routers, ['r-001', 'r-002']);
  assert.is(
    (await api('GET', '/audit', '/audit?router=r-002', { token: rig.tokens.viewer })).body.total,
    2, // the list action and the filtered one (the fake takes a filter as all)
  );
  assert.is(
    (
      await api(
        'GET',
        '/audit',
        `/audit?router=${encodeURIComponent("x'; DROP TABLE audit_log; --")}`,
        { token: rig.tokens.viewer },
      )
    ).status,
    400,
  );
  assert.is(
    (
      await api(
        'GET',
        '/audit',
        `/audit?operator=${encodeURIComponent("x'; DROP TABLE audit_log; --")}`,
        { token: rig.tokens.viewer },
      )
    ).body.total,
    0,
  );
  assert.is(
    (await api('GET', '/audit', '/audit?since=yesterday', { token: rig.tokens.viewer })).status,
    400,
  );
  assert.ok(
    (await api('GET', '/audit', '/audit?since=2000-01-01', { token: rig.tokens.viewer })).body
      .total >= 2,
  );
});

test('rollouts: start, read, pause, resume, abort, each with a reason', async () => {
  const t = rig.tokens.operator;
  const bad = await api('POST', '/rollouts', '/rollouts', {
    token: t,
    body: { action: 'enable', reason: 'x', target: { all: true }, waves: [10, 5, 100] },
  });
  assert.is(bad.status, 400);
  const started = await api('POST', '/rollouts', '/rollouts', {
    token: t,
    body: {
      action: 'enable',
      reason: 'back on',
      target: { all: true },
      waves: [1, 10, 100],
      max_error_share: 0.02,
    },
  });
  assert.is(started.status, 201);
  const id = started.body.id;
  assert.is(
    (await api('GET', '/rollouts/{id}', `/rollouts/${id}`, { token: rig.tokens.viewer })).body.id,
    id,
  );
  assert.is(
    (await api('GET', '/rollouts', '/rollouts', { token: rig.tokens.viewer })).body.items.length,
    1,
  );
  assert.is(
    (await api('POST', '/rollouts/{id}/pause', `/rollouts/${id}/pause`, { token: t, body: {} }))
      .status,
    400,
  );
  assert.is(
    (
      await api('POST', '/rollouts/{id}/pause', `/rollouts/${id}/pause`, {
        token: t,
        body: { reason: 'wait for NOC' },
      })
    ).body.state,
    'paused',
  );
  assert.is(
    (
      await api('POST', '/rollouts/{id}/resume', `/rollouts/${id}/resume`, {
        token: t,
        body: { reason: 'go' },
      })
    ).body.state,
    'running',
  );
  assert.is(
    (
      await api('POST', '/rollouts/{id}/abort', `/rollouts/${id}/abort`, {
        token: t,
        body: { reason: 'stop' },
      })
    ).body.state,
    'aborted',
  );
  assert.is(
    (
      await api('POST', '/rollouts/{id}/abort', '/rollouts/nope/abort', {
        token: t,
        body: { reason: 'stop' },
      })
    ).status,
    404,
  );
  assert.is(
    (await api('GET', '/audit', '/audit?action=rollout.pause', { token: t })).body.items[0].reason,
    'wait for NOC',
  );
});

async function login(name: string, password: string, headers: Record<string, string> = {}) {
  const res = await call(rig.app, 'POST', '/login', { body: { name, password }, headers });
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
  assert.is((await rig.accounts.listAccounts()).length, 3);
});

test('CSV export: every matching router, formula-safe cells, inert markup', async () => {
  const res = await call(rig.app, 'GET', '/export/routers.csv?sort=id', {
    token: rig.tokens.viewer,
  });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  const lines = (await res.text()).trimEnd().split('\r\n');
  assert.is(lines.length, 4);
  assert.match(lines[0]!, /^id,online,model,/);
  assert.match(lines[2]!, /,<script>alert\(1\)<\/script>,/);
  assert.match(lines[3]!, /,"'=HYPERLINK\(""http:\/\/evil.example"",""x""\)",/);
  assert.match(lines[3]!, /,'; DROP TABLE accounts; --,/);
  assert.match(lines[3]!, /,E: \+cmd\|\/c calc,/);
  assert.is(
    (await call(rig.app, 'GET', '/export/routers.csv?limit=5', { token: rig.tokens.viewer }))
      .status,
    400,
  );
});

test('accounts and tokens: add, change, token create/revoke, each audited', async () => {
  const a = rig.tokens.admin;
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
  const rows = await rig.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
  assert.ok(rows.rows.every((r) => !r.token_hash.includes(token) && r.token_hash.length === 64));
});

test('events: SSE hello, then the service events as JSON', async () => {
  const res = await call(rig.app, 'GET', '/events', { token: rig.tokens.viewer });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const readUntil = async (needle: string) => {
    while (!text.includes(needle)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${needle}`);
      text += decoder.decode(value);
    }
  };
  await readUntil('event: hello');
  fleet.emit({ type: 'router', id: XSS });
  await readUntil('event: router');
  await readUntil('\n\n');
  const data = text
    .split('event: router\n')[1]!
    .split('\n')[0]!
    .replace(/^data: /, '');
  assert.equal(JSON.parse(data), { type: 'router', id: XSS });
  await reader.cancel();
});

test('unknown paths answer 404 JSON, never a stack', async () => {
  const res = await call(rig.app, 'GET', '/../../etc/passwd', { token: rig.tokens.viewer });
  assert.is(res.status, 404);
  assert.is(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
});

test.run();
