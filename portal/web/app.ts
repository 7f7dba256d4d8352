// The shell: who is logged in (GET /me), the login page when nobody is, otherwise the layout with
// the page the route table picks for the current path.
import { useEffect, useState } from 'preact/hooks';
import { hasRole } from '../auth/roles.ts';
import { api, setUnauthorizedHandler } from './api-client.ts';
import type { Me, Operator } from './api-types.ts';
import { html } from './html.ts';
import { Layout } from './layout.ts';
import { navigate, useLocation } from './navigation.ts';
import { LoginPage } from './pages/login-page.ts';
import { NotFoundPage } from './pages/not-found-page.ts';
import { rememberedOperator, rememberOperator } from './remembered-operator.ts';
import { matchRoute } from './routes.ts';

type Session =
  { state: 'loading' } | { state: 'out'; notice?: string } | { state: 'in'; operator: Operator };

/** Where to go after login: only a path of this site. */
function nextPath(search: URLSearchParams): string {
  const next = search.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export function App() {
  const { path, search } = useLocation();
  const [session, setSession] = useState<Session>(() => {
    const operator = rememberedOperator();
    return operator ? { state: 'in', operator } : { state: 'loading' };
  });

  useEffect(() => {
    setUnauthorizedHandler(() => {
      rememberOperator(null);
      setSession((s) =>
        s.state === 'in'
          ? { state: 'out', notice: 'Your session ended: log in again.' }
          : { state: 'out' },
      );
    });
    api.get<Me>('/me').then(
      (me) => {
        rememberOperator(me.operator);
        setSession((s) =>
          s.state === 'in' &&
          s.operator.name === me.operator.name &&
          s.operator.role === me.operator.role
            ? s
            : { state: 'in', operator: me.operator },
        );
      },
      () => setSession((s) => (s.state === 'loading' ? { state: 'out' } : s)),
    );
  }, []);

  // Logged out: the login page lives at /login?next=<where the user was>.
  useEffect(() => {
    if (session.state === 'out' && path !== '/login')
      navigate(`/login?next=${encodeURIComponent(path + location.search)}`, { replace: true });
    if (session.state === 'in' && path === '/login') navigate(nextPath(search), { replace: true });
  }, [session.state, path]);

  const match = session.state === 'in' ? matchRoute(path) : null;
  useEffect(() => {
    document.title = `${match?.route.title ?? (session.state === 'in' ? 'Not found' : 'Log in')} · OP25B portal`;
  });

  if (session.state === 'loading') return html`<p class="loading" role="status">Loading…</p>`;
  if (session.state === 'out')
    return html`<${LoginPage}
      notice=${session.notice}
      onLogin=${(operator: Operator) => {
        rememberOperator(operator);
        setSession({ state: 'in', operator });
      }}
    />`;

  const logout = async () => {
    await api.post('/logout').catch(() => {});
    rememberOperator(null);
    setSession({ state: 'out', notice: 'You are logged out.' });
  };
  const operator = session.operator;
  const allowed = match && (!match.route.role || hasRole(operator.role, match.route.role));
  const Page = match?.route.page;
  return html`<${Layout} operator=${operator} path=${path} onLogout=${logout}>
    ${
      Page && allowed
        ? html`<${Page} key=${path} operator=${operator} params=${match.params} search=${search} />`
        : html`<${NotFoundPage} />`
    }
  <//>`;
}
