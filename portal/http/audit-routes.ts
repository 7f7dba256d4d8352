// GET /audit: the audit log, newest first, filtered by operator, action, router and time.
import { Hono } from 'hono';
import type { AuditStore } from '../auth/audit-store.ts';
import { ROUTER_ID } from './action-body.ts';
import type { AppEnv } from './app-env.ts';
import { intParam, onlyParams, textParam, timeParam } from './query-params.ts';

export function auditRoutes(audit: AuditStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/audit', async (c) => {
    const p = c.req.query();
    onlyParams(p, ['operator', 'action', 'router', 'since', 'until', 'limit', 'offset']);
    const operator = textParam(p, 'operator', /^.{1,64}$/);
    const action = textParam(p, 'action', /^[a-z.]{1,32}$/);
    const router = textParam(p, 'router', ROUTER_ID);
    const since = timeParam(p, 'since');
    const until = timeParam(p, 'until');
    return c.json(
      await audit.list({
        ...(operator !== undefined && { operator }),
        ...(action !== undefined && { action }),
        ...(router !== undefined && { router }),
        ...(since !== undefined && { since }),
        ...(until !== undefined && { until }),
        limit: intParam(p, 'limit', 1, 1000) ?? 100,
        offset: intParam(p, 'offset', 0, 1e12) ?? 0,
      }),
    );
  });
  return app;
}
