// Changing the fleet: actions on one router, a list, a filter or all; staged rollouts and their
// pause/resume/abort. Operators and admins only; every change carries a reason, and the
// service writes operator and reason to the audit log.
import { Hono } from 'hono';
import { ACTION_STATUSES, type ActionStatus } from '../core/action.ts';
import type { FleetService } from '../service/fleet-service.ts';
import { parseActionBody, parseRolloutBody } from './action-body.ts';
import type { AppEnv } from './app-env.ts';
import { requireRole } from './authenticate.ts';
import { badRequest, notFound } from './http-error.ts';
import { onlyFields, readJsonObject, reasonField } from './json-body.ts';
import { intParam, onlyParams } from './query-params.ts';

const ROLLOUT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function actionRoutes(fleet: FleetService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const operatorOnly = requireRole('operator');

  app.post('/actions', operatorOnly, async (c) => {
    const request = parseActionBody(await readJsonObject(c));
    return c.json(await fleet.act(request, c.get('operator')));
  });

  app.get('/rollouts', async (c) => {
    onlyParams(c.req.query(), []);
    return c.json({ items: await fleet.listRollouts() });
  });

  app.post('/rollouts', operatorOnly, async (c) => {
    const request = parseRolloutBody(await readJsonObject(c));
    return c.json(await fleet.startRollout(request, c.get('operator')), 201);
  });

  app.get('/rollouts/:id', async (c) => {
    const id = c.req.param('id');
    const rollout = ROLLOUT_ID.test(id) ? await fleet.getRollout(id) : null;
    if (!rollout) throw notFound('rollout');
    return c.json(rollout);
  });

  app.get('/rollouts/:id/actions', async (c) => {
    const p = c.req.query();
    onlyParams(p, ['wave', 'status', 'limit', 'offset']);
    const id = c.req.param('id');
    const status = p.status === undefined || p.status === '' ? undefined : p.status;
    if (status !== undefined && !(ACTION_STATUSES as readonly string[]).includes(status))
      throw badRequest(`status must be one of ${ACTION_STATUSES.join(', ')}`, 'bad_query');
    const wave = intParam(p, 'wave', 0, 19);
    const query = {
      ...(wave !== undefined && { wave }),
      ...(status !== undefined && { status: status as ActionStatus }),
      limit: intParam(p, 'limit', 1, 1000) ?? 100,
      offset: intParam(p, 'offset', 0, 1e12) ?? 0,
    };
    if (!ROLLOUT_ID.test(id) || !(await fleet.getRollout(id))) throw notFound('rollout');
    return c.json(await fleet.rolloutActions(id, query));
  });

  for (const verb of ['pause', 'resume', 'abort'] as const)
    app.post(`/rollouts/:id/${verb}`, operatorOnly, async (c) => {
      const body = await readJsonObject(c);
      onlyFields(body, ['reason']);
      const reason = reasonField(body);
      const id = c.req.param('id');
      if (!ROLLOUT_ID.test(id) || !(await fleet.getRollout(id))) throw notFound('rollout');
      return c.json(await fleet.controlRollout(id, verb, c.get('operator'), reason));
    });
  return app;
}
