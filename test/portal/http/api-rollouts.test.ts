// Rollouts through app.request(): start, pause, resume and abort each with a reason, and a
// rollout's requests and replies filtered, paged and checked against the OpenAPI document.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiRig } from './api-rig.ts';

const { fleet, api, rig: rigOf, hooks } = apiRig();
const test = suite('api rollouts');
hooks(test);

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

test.run();
