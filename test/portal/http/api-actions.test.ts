// Actions through app.request(): the operator role and a reason are required, bad targets are
// 400 and act on nothing, and the audit log records operator, reason and routers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiRig, SQLI, XSS } from './api-rig.ts';

const { fleet, api, rig: rigOf, hooks } = apiRig();
const test = suite('api actions');
hooks(test);

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

test.run();
