// The pages, one line each: path (with `:name` segments), title, component, and the role needed
// to see it (the API refuses the rest anyway). The first match wins.
import type { ComponentType } from 'preact';
import type { Role } from './api-types.ts';
import type { PageProps } from './page-props.ts';
import { AccountsPage } from './pages/accounts-page.ts';
import { AuditPage } from './pages/audit-page.ts';
import { FleetPage } from './pages/fleet-page.ts';
import { OverviewPage } from './pages/overview-page.ts';
import { RolloutPage } from './pages/rollout-page.ts';
import { RolloutsPage } from './pages/rollouts-page.ts';
import { RouterPage } from './pages/router-page.ts';

export interface PageRoute {
  readonly path: string;
  readonly title: string;
  readonly page: ComponentType<PageProps>;
  readonly role?: Role;
}

export const ROUTES: readonly PageRoute[] = [
  { path: '/', title: 'Overview', page: OverviewPage },
  { path: '/fleet', title: 'Fleet', page: FleetPage },
  { path: '/routers/:id', title: 'Router', page: RouterPage },
  { path: '/rollouts', title: 'Rollouts', page: RolloutsPage },
  { path: '/rollouts/:id', title: 'Rollout', page: RolloutPage },
  { path: '/audit', title: 'Audit log', page: AuditPage },
  { path: '/accounts', title: 'Accounts and tokens', page: AccountsPage, role: 'admin' },
];

export interface RouteMatch {
  readonly route: PageRoute;
  readonly params: Record<string, string>;
}

export function matchRoute(path: string): RouteMatch | null {
  const parts = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((segment, i) => {
      const part = parts[i]!;
      if (segment.startsWith(':')) {
        try {
          params[segment.slice(1)] = decodeURIComponent(part);
        } catch {
          return false;
        }
        return true;
      }
      return segment === part;
    });
    if (fits) return { route, params };
  }
  return null;
}
