// Reading the fleet: the list (paged, sorted, filtered, searched), its CSV export, the summary,
// one router's record and histories (blocked attempts, boots, actions). Any role may read.
import { Hono } from 'hono';
import { parseFleetQuery, QueryError, type FleetQuery } from '../core/fleet-query.ts';
import { BOOTS_KEPT } from '../core/router-views.ts';
import type { FleetService } from '../service/fleet-service.ts';
import { ROUTER_ID } from './action-body.ts';
import type { AppEnv } from './app-env.ts';
import { csvHeader, csvRow } from './fleet-csv.ts';
import { badRequest, notFound } from './http-error.ts';
import { intParam, onlyParams } from './query-params.ts';

export function fleetQueryFrom(params: Record<string, string>): FleetQuery {
  try {
    return parseFleetQuery(params);
  } catch (e) {
    if (e instanceof QueryError) throw badRequest(e.message, 'bad_query');
    throw e;
  }
}

const EXPORT_PAGE = 1000;
const MAX_SERIES = 1000;

export function routerRoutes(fleet: FleetService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/routers', async (c) => c.json(await fleet.listRouters(fleetQueryFrom(c.req.query()))));

  app.get('/export/routers.csv', (c) => {
    const params = c.req.query();
    if ('offset' in params || 'limit' in params)
      throw badRequest('the export takes every matching router: no offset or limit');
    const query = fleetQueryFrom(params);
    const encoder = new TextEncoder();
    let offset = 0;
    let headerSent = false;
    // Page by page, so a large fleet is never held in memory at once.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvHeader()));
          return;
        }
        const page = await fleet.listRouters({ ...query, offset, limit: EXPORT_PAGE });
        if (page.items.length > 0)
          controller.enqueue(encoder.encode(page.items.map(csvRow).join('')));
        offset += page.items.length;
        if (page.items.length < EXPORT_PAGE) controller.close();
      },
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="routers.csv"',
        'x-content-type-options': 'nosniff',
      },
    });
  });

  app.get('/summary', async (c) => {
    onlyParams(c.req.query(), []);
    return c.json(await fleet.summary());
  });

  app.get('/blocked', async (c) => {
    const params = c.req.query();
    onlyParams(params, ['hours']);
    return c.json({
      items: await fleet.blockedHistory(null, intParam(params, 'hours', 1, 2160) ?? 24),
    });
  });

  // ?ids=a,b,c: the sparklines of one page of the fleet list, in one request.
  app.get('/blocked/series', async (c) => {
    const params = c.req.query();
    onlyParams(params, ['ids', 'hours']);
    const ids = [...new Set((params.ids ?? '').split(',').filter((id) => id !== ''))];
    if (ids.length === 0 || ids.length > MAX_SERIES || !ids.every((id) => ROUTER_ID.test(id)))
      throw badRequest(`ids must be 1..${MAX_SERIES} router ids, comma-separated`, 'bad_query');
    return c.json({
      items: await fleet.blockedSeries(ids, intParam(params, 'hours', 1, 168) ?? 24),
    });
  });

  app.get('/top-blocked', async (c) => {
    const params = c.req.query();
    onlyParams(params, ['hours', 'limit']);
    const hours = intParam(params, 'hours', 1, 2160) ?? 24;
    return c.json({
      items: await fleet.topBlocked(hours, intParam(params, 'limit', 1, 1000) ?? 20),
    });
  });

  const routerId = (id: string) => {
    if (!ROUTER_ID.test(id)) throw notFound('router');
    return id;
  };

  app.get('/routers/:id', async (c) => {
    onlyParams(c.req.query(), []);
    const router = await fleet.getRouter(routerId(c.req.param('id')));
    if (!router) throw notFound('router');
    return c.json(router);
  });

  app.get('/routers/:id/blocked', async (c) => {
    const params = c.req.query();
    onlyParams(params, ['hours']);
    const id = routerId(c.req.param('id'));
    if (!(await fleet.getRouter(id))) throw notFound('router');
    return c.json({
      items: await fleet.blockedHistory(id, intParam(params, 'hours', 1, 2160) ?? 24),
    });
  });

  app.get('/routers/:id/boots', async (c) => {
    const params = c.req.query();
    onlyParams(params, ['limit', 'offset']);
    const id = routerId(c.req.param('id'));
    const limit = intParam(params, 'limit', 1, BOOTS_KEPT) ?? BOOTS_KEPT;
    const offset = intParam(params, 'offset', 0, BOOTS_KEPT) ?? 0;
    if (!(await fleet.getRouter(id))) throw notFound('router');
    return c.json(await fleet.bootHistory(id, limit, offset));
  });

  app.get('/routers/:id/actions', async (c) => {
    const params = c.req.query();
    onlyParams(params, ['limit']);
    const id = routerId(c.req.param('id'));
    if (!(await fleet.getRouter(id))) throw notFound('router');
    return c.json({
      items: await fleet.actionHistory(id, intParam(params, 'limit', 1, 1000) ?? 50),
    });
  });
  return app;
}
