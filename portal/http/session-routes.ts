// POST /login (the one route without authentication), POST /logout, GET /me.
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ACCOUNT_NAME } from '../auth/accounts-store.ts';
import { CSRF_COOKIE } from '../auth/csrf.ts';
import { LoginRateLimiter } from '../auth/login-rate-limit.ts';
import type { AppDeps, AppEnv } from './app-env.ts';
import { SESSION_COOKIE } from './authenticate.ts';
import { HttpError } from './http-error.ts';
import { onlyFields, readJsonObject, requiredString } from './json-body.ts';

/** Routes reachable before authentication. */
export function loginRoutes(deps: AppDeps): Hono<AppEnv> {
  const { accounts, settings } = deps;
  const limiter =
    deps.loginLimiter ??
    new LoginRateLimiter({
      maxFailures: settings.loginMaxFailures,
      windowMs: settings.loginWindowS * 1000,
    });
  const app = new Hono<AppEnv>();
  app.post('/login', async (c) => {
    // A login form posted from another site would log the victim into the attacker's account.
    const origin = c.req.header('origin');
    if (
      origin !== undefined &&
      origin !== new URL(c.req.url).origin &&
      !settings.allowedOrigins.includes(origin)
    )
      throw new HttpError(403, 'csrf', 'cross-origin request refused');
    const body = await readJsonObject(c);
    onlyFields(body, ['name', 'password']);
    const name = requiredString(body, 'name', { max: 64 });
    const password = requiredString(body, 'password', { max: 1024 });
    const address = deps.clientAddress(c.req.raw, c.env);
    const keys = [`user:${name.toLowerCase()}`, `addr:${address}`];
    const wait = limiter.retryAfterS(keys);
    if (wait > 0) {
      deps.log(`login refused for ${JSON.stringify(name)} from ${address}: rate limited`);
      throw new HttpError(429, 'rate_limited', 'too many failed logins, try again later', {
        'Retry-After': String(wait),
      });
    }
    const operator = ACCOUNT_NAME.test(name) ? await accounts.checkPassword(name, password) : null;
    if (!operator) {
      limiter.fail(keys);
      deps.log(`login failed for ${JSON.stringify(name)} from ${address}`);
      throw new HttpError(401, 'bad_login', 'wrong name or password');
    }
    limiter.succeed(keys[0]!);
    const session = await accounts.createSession(operator.name, settings.sessionTtlS);
    // Behind a TLS proxy the service sees http, but the browser's Origin shows the page is https.
    const secure =
      new URL(c.req.url).protocol === 'https:' || (origin?.startsWith('https://') ?? false);
    const common = { path: '/', sameSite: 'Strict', secure, maxAge: settings.sessionTtlS } as const;
    setCookie(c, SESSION_COOKIE, session.id, { ...common, httpOnly: true });
    setCookie(c, CSRF_COOKIE, session.csrfToken, common);
    deps.log(`login ${operator.name} (${operator.role}) from ${address}`);
    return c.json({ operator, csrfToken: session.csrfToken });
  });
  return app;
}

/** Routes behind authentication. */
export function sessionRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/logout', async (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) await deps.accounts.endSession(id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    deleteCookie(c, CSRF_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });
  app.get('/me', (c) => c.json({ operator: c.get('operator'), via: c.get('via') }));
  return app;
}
