// GET /routers/{id}/boots through app.request(), over the in-memory FleetService: any role reads
// it, typed paging reaches the service, bad values are 400, unknown routers 404, and every answer
// fits the OpenAPI document. (The real store's answers: test/portal/store, service.test.ts.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BootRecord } from '../../../portal/core/router-views.ts';
import { apiRig, SQLI } from './api-rig.ts';

const { fleet, api, rig: rigOf, hooks } = apiRig();
const test = suite('api boots');
hooks(test);

const SPEC = '/routers/{id}/boots';
const ENDS = ['stopped', 'lost', 'offline', 'replaced'] as const;
const RUNS: BootRecord[] = Array.from({ length: 7 }, (_, i) => ({
  boot: (0xa0 + i).toString(16).padStart(16, '0'),
  agentVersion: i === 3 ? null : '0.1.0',
  firstSeen: i === 6 ? null : new Date(Date.UTC(2026, 10, 30, 12 - i)).toISOString(),
  endedAt: new Date(Date.UTC(2026, 10, 30, 12 - i, 30)).toISOString(),
  endedBy: ENDS[i % ENDS.length]!,
}));

test.before(() => {
  fleet.boots.set('r-001', RUNS);
});

test('any role reads the boots of a router, newest first, in pages that fit the document', async () => {
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const all = await api('GET', SPEC, '/routers/r-001/boots', { token: rigOf().tokens[role] });
    assert.is(all.status, 200, role);
    assert.equal(all.body, { items: RUNS, total: RUNS.length });
  }
  assert.equal(fleet.bootQueries.at(-1), { id: 'r-001', limit: 50, offset: 0 });
  const page = await api('GET', SPEC, '/routers/r-001/boots?limit=2&offset=5', {
    token: rigOf().tokens.viewer,
  });
  assert.equal(page.body, { items: RUNS.slice(5, 7), total: 7 });
  assert.equal(fleet.bootQueries.at(-1), { id: 'r-001', limit: 2, offset: 5 });
  const past = await api('GET', SPEC, '/routers/r-001/boots?offset=50', {
    token: rigOf().tokens.viewer,
  });
  assert.equal(past.body, { items: [], total: 7 });
  // A router without ended runs.
  const none = await api('GET', SPEC, '/routers/r-002/boots?limit=50', {
    token: rigOf().tokens.viewer,
  });
  assert.equal(none.body, { items: [], total: 0 });
});

test('bad paging values are 400, unknown routers 404, no credentials 401', async () => {
  const t = { token: rigOf().tokens.viewer };
  const asked = fleet.bootQueries.length;
  for (const bad of ['limit=0', 'limit=51', 'limit=x', 'offset=-1', 'offset=51', 'hours=1'])
    assert.is((await api('GET', SPEC, `/routers/r-001/boots?${bad}`, t)).status, 400, bad);
  assert.is((await api('GET', SPEC, '/routers/nope/boots', t)).status, 404);
  assert.is((await api('GET', SPEC, `/routers/${encodeURIComponent(SQLI)}/boots`, t)).status, 404);
  const anonymous = await api('GET', SPEC, '/routers/r-001/boots');
  assert.is(anonymous.status, 401);
  assert.is(anonymous.body.error.code, 'unauthorized');
  assert.is(fleet.bootQueries.length, asked, 'no refused request reached the service');
});

test.run();
