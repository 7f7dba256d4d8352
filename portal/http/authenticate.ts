// Who is asking: a Bearer API token, or a session cookie (then state-changing requests must
// pass the CSRF checks). No credentials, or bad ones: 401. Role checks per route: 403.
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AccountsStore } from '../auth/accounts-store.ts';
import { CSRF_HEADER, csrfProblem } from '../auth/csrf.ts';
import { hasRole } from '../auth/roles.ts';
import type { Role } from '../core/operator.ts';
import type { AppEnv, HttpSettings } from './app-env.ts';
import { HttpError } from './http-error.ts';

export const SESSION_COOKIE = 'op25b_session';

const unauthorized = (message: string) =>
  new HttpError(401, 'unauthorized', message, {
    'WWW-Authenticate': 'Bearer realm="op25b-portal"',
  });

export function authenticate(
  accounts: AccountsStore,
  settings: HttpSettings,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header);
      const operator = match ? await accounts.operatorForToken(match[1]!) : null;
      if (!operator) throw unauthorized('invalid API token');
      c.set('operator', operator);
      c.set('via', 'token');
      return next();
    }
    const sessionId = getCookie(c, SESSION_COOKIE);
    const session =
      sessionId && sessionId.length <= 100
        ? await accounts.session(sessionId, settings.sessionTtlS)
        : null;
    if (!session) throw unauthorized('authentication required');
    const problem = csrfProblem({
      method: c.req.method,
      expected: session.csrfToken,
      header: c.req.header(CSRF_HEADER),
      origin: c.req.header('origin'),
      secFetchSite: c.req.header('sec-fetch-site'),
      ownOrigin: new URL(c.req.url).origin,
      allowedOrigins: settings.allowedOrigins,
    });
    if (problem) throw new HttpError(403, 'csrf', problem);
    c.set('operator', session.operator);
    c.set('via', 'session');
    return next();
  };
}

export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!hasRole(c.get('operator').role, role))
      throw new HttpError(403, 'forbidden', `this needs the ${role} role`);
    return next();
  };
}
