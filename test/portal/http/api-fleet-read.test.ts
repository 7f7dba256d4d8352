// Reading the fleet through app.request() over a real PGlite, with an in-memory FleetService:
// typed list queries, records and histories, inert device strings, CSV export and SSE; every
// JSON answer is checked against the OpenAPI document.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call } from './support.ts';
import { apiRig, SQLI, XSS } from './api-rig.ts';

const { fleet, api, rig: rigOf, hooks } = apiRig();
const test = suite('api fleet read');
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
