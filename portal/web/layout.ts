// The frame of every page: a skip link, the navigation, who is logged in, logout.
import type { ComponentChildren } from 'preact';
import { hasRole } from '../auth/roles.ts';
import type { Operator, Role } from './api-types.ts';
import { html } from './html.ts';
import { Link } from './navigation.ts';

const NAV: readonly { href: string; label: string; role?: Role }[] = [
  { href: '/', label: 'Overview' },
  { href: '/fleet', label: 'Fleet' },
  { href: '/rollouts', label: 'Rollouts' },
  { href: '/audit', label: 'Audit' },
  { href: '/accounts', label: 'Accounts', role: 'admin' },
];

function current(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(href + '/');
}

export function Layout(props: {
  operator: Operator;
  path: string;
  onLogout: () => void;
  children: ComponentChildren;
}) {
  const { operator, path } = props;
  const items = NAV.filter((item) => !item.role || hasRole(operator.role, item.role));
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">OP25B portal</span>
      <nav aria-label="Main">
        <ul>
          ${items.map(
            (item) =>
              html`<li>
                <${Link}
                  href=${item.href}
                  aria-current=${current(item.href, path) ? 'page' : undefined}
                  >${item.label}<//
                >
              </li>`,
          )}
        </ul>
      </nav>
      <div class="who">
        <span data-testid="current-user">${operator.name} (${operator.role})</span>
        <button type="button" onClick=${props.onLogout}>Log out</button>
      </div>
    </header>
    <main id="main" tabindex="-1">${props.children}</main>
  `;
}
