// Reading and changing the fleet through app.request() over a real PGlite, with an in-memory
// FleetService: parsing into typed requests, reasons in the audit log, rollouts, CSV, accounts
// and tokens, SSE; every response is checked against the OpenAPI document.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call } from './support.ts';
import { apiRig, SQLI, XSS } from './api-rig.ts';

const { fleet, api, rig: rigOf, hooks } = apiRig();
const test = suite('api fleet');
hooks(test);

test('fleet list: typed paging, sorting, filters and q reach the service; bad ones are 400', async () => {
  const res = await api('GET', '/routers', '/routers?limit=2&offset=0&sort=-id&online=true&q=r-0', {
    token: rigOf().tokens.viewer,
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
      (await api('GET', '/routers', `/routers?${bad}`, { token: rigOf().tokens.viewer })).status,
      400,
      bad,
    );
});

test('summary, router record, histories and top-blocked fit the document', async () => {
  const t = { token: rigOf().tokens.viewer };
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
  const series = await api(
    'GET',
    '/blocked/series',
    '/blocked/series?ids=r-002,r-001,r-002&hours=6',
    t,
  );
  assert.equal(series.body.items, [
    { id: 'r-002', blocked: [1, 1, 1, 1, 1, 1] },
    { id: 'r-001', blocked: [1, 1, 1, 1, 1, 1] },
  ]);
  for (const bad of [
    '',
    'ids=',
    `ids=${encodeURIComponent(SQLI)}`,
    'ids=r-001&hours=169',
    'ids=r-001&x=1',
  ])
    assert.is((await api('GET', '/blocked/series', `/blocked/series?${bad}`, t)).status, 400, bad);
});

test('device strings come back as the same inert JSON string, with nosniff and a strict CSP', async () => {
  const res = await call(rigOf().app, 'GET', '/routers/r-002', { token: rigOf().tokens.viewer });
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.is(((await res.json()) as { model: string }).model, XSS);
});

test('actions need the operator role and a reason; the audit log gets operator and reason', async () => {
  const t = rigOf().tokens.operator;
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
    token: rigOf().tokens.viewer,
  });
  assert.is(audit.body.total, 1);
  assert.is(audit.body.items[0].reason, 'customer SMTP relay, ticket 42');
  assert.equal(audit.body.items[0].routers, ['r-001', 'r-002']);
  assert.is(
    (await api('GET', '/audit', '/audit?router=r-002', { token: rigOf().tokens.viewer })).body
      .total,
    2, // the list action and the filtered one (the fake takes a filter as all)
  );
  assert.is(
    (
      await api(
        'GET',
        '/audit',
        `/audit?router=${encodeURIComponent("x'; DROP TABLE audit_log; --")}`,
        { token: rigOf().tokens.viewer },
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
        { token: rigOf().tokens.viewer },
      )
    ).body.total,
    0,
  );
  assert.is(
    (await api('GET', '/audit', '/audit?since=yesterday', { token: rigOf().tokens.viewer })).status,
    400,
  );
  assert.ok(
    (await api('GET', '/audit', '/audit?since=2000-01-01', { token: rigOf().tokens.viewer })).body
      .total >= 2,
  );
});

test('rollouts: start, read, pause, resume, abort, each with a reason', async () => {
  const t = rigOf().tokens.operator;
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
    (await api('GET', '/rollouts/{id}', `/rollouts/${id}`, { token: rigOf().tokens.viewer })).body
      .id,
    id,
  );
  assert.is(
    (await api('GET', '/rollouts', '/rollouts', { token: rigOf().tokens.viewer })).body.items
      .length,
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
test("a rollout's requests and replies: filtered by wave and status, paged, checked", async () => {
  const v = rigOf().tokens.viewer;
  const id = [...fleet.rollouts.keys()][0]!;
  const path = '/rollouts/{id}/actions';
  const all = await api('GET', path, `/rollouts/${id}/actions`, { token: v });
  assert.is(all.status, 200);
  assert.equal(
    all.body.items.map((a: any) => [a.routerId, a.wave, a.status, a.reply.error.code]),
    [['r-001', 0, 'error', 'apply_failed']],
  );
  assert.is(all.body.total, 1);
  const some = await api(
    'GET',
    path,
    `/rollouts/${id}/actions?wave=1&status=${encodeURIComponent('no reply')}&limit=5&offset=0`,
    { token: v },
  );
  assert.equal([some.status, some.body.total], [200, 0]);
  assert.equal(fleet.rolloutQueries.at(-1), { wave: 1, status: 'no reply', limit: 5, offset: 0 });
  for (const bad of ['status=lost', 'wave=20', 'limit=0', 'page=2'])
    assert.is(
      (await api('GET', path, `/rollouts/${id}/actions?${bad}`, { token: v })).status,
      400,
      bad,
    );
  assert.is((await api('GET', path, '/rollouts/nope/actions', { token: v })).status, 404);
  assert.is((await api('GET', path, `/rollouts/${id}/actions`)).status, 401);
});

test('CSV export: every matching router, formula-safe cells, inert markup', async () => {
  const res = await call(rigOf().app, 'GET', '/export/routers.csv?sort=id', {
    token: rigOf().tokens.viewer,
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
    (
      await call(rigOf().app, 'GET', '/export/routers.csv?limit=5', {
        token: rigOf().tokens.viewer,
      })
    ).status,
    400,
  );
});

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

test('events: SSE hello, then the service events as JSON', async () => {
  const res = await call(rigOf().app, 'GET', '/events', { token: rigOf().tokens.viewer });
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

test.run();
