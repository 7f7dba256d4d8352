// The HTTP API as a pure handler tree: everything it needs comes in as parameters, so tests
// drive it with app.request() and main.ts serves it with @hono/node-server.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from './app-env.ts';
import { accountRoutes } from './account-routes.ts';
import { actionRoutes } from './action-routes.ts';
import { auditRoutes } from './audit-routes.ts';
import { authenticate } from './authenticate.ts';
import { eventRoutes } from './event-stream.ts';
import { HttpError } from './http-error.ts';
import { openApiDocument } from './openapi.ts';
import { routerRoutes } from './router-routes.ts';
import { loginRoutes, sessionRoutes } from './session-routes.ts';
import { webRoutes } from './web-routes.ts';

export const API_BASE = '/api/v1';

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.route('/', loginRoutes(deps));
  api.use('*', authenticate(deps.accounts, deps.settings));
  api.route('/', sessionRoutes(deps));
  api.route('/', routerRoutes(deps.fleet));
  api.route('/', actionRoutes(deps.fleet));
  api.route('/', auditRoutes(deps.audit));
  api.route('/', accountRoutes(deps.accounts, deps.audit));
  api.route('/', eventRoutes(deps.fleet));
  const document = openApiDocument();
  api.get('/openapi.json', (c) => c.json(document));

  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    await next();
    // JSON and CSV only: never let a browser sniff device-supplied text into markup. The web
    // pages (web-routes.ts) set their own cache and CSP headers.
    c.header('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    if (!c.res.headers.has('Content-Security-Policy'))
      c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  });
  app.route(API_BASE, api);
  app.route('/', webRoutes(deps.webDir));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such endpoint' } }, 404));
  app.onError((error, c) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json({ error: { code: error.code, message: error.message } }, error.status);
    }
    const refused = serviceRefusal(error);
    if (refused) return c.json({ error: refused }, 409);
    deps.log(
      `http: ${c.req.method} ${new URL(c.req.url).pathname} failed: ${String((error as Error).stack ?? error)}`,
    );
    return c.json(
      { error: { code: 'internal', message: 'internal error (see the service log)' } },
      500,
    );
  });
  return app;
}

/** The service refuses a request it cannot carry out (ActionError): its message is for users. */
function serviceRefusal(error: unknown): { code: string; message: string } | null {
  if (!(error instanceof Error) || error.name !== 'ActionError') return null;
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'refused', message: error.message };
}
