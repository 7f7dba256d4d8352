// The morning page: the fleet's counts (each a link to the fleet table filtered that way), the
// fleet-wide blocked attempts over time, and the routers with the most blocked attempts.
import type { FleetSummary } from '../api-types.ts';
import { html } from '../html.ts';
import { Link } from '../navigation.ts';
import { useApi } from '../use-api.ts';

const COUNTS: readonly { key: keyof FleetSummary; label: string; href: string }[] = [
  { key: 'routers', label: 'Routers', href: '/fleet' },
  { key: 'online', label: 'Online', href: '/fleet?online=true' },
  { key: 'enforcing', label: 'Enforcing', href: '/fleet?enabled=true&applied=true' },
  { key: 'disabled', label: 'Disabled', href: '/fleet?enabled=false' },
  { key: 'driftedOrErroring', label: 'Drifted or erroring', href: '/fleet?trouble=true' },
  { key: 'notReporting', label: 'Not reporting', href: '/fleet?not_reporting=true' },
];

export function OverviewPage() {
  const summary = useApi<FleetSummary>('/summary');
  return html`
    <h1>Overview</h1>
    <section aria-labelledby="counts-heading">
      <h2 id="counts-heading" class="sr-only">Fleet counts</h2>
      ${summary.error && html`<p class="error" role="alert">${summary.error}</p>`}
      <ul class="cards" data-testid="counts">
        ${COUNTS.map(
          (c) =>
            html`<li>
              <${Link} href=${c.href}>
                <span class="count" data-count=${c.key}
                  >${summary.data ? summary.data[c.key].toLocaleString('en') : '…'}</span
                >
                ${c.label}
              <//>
            </li>`,
        )}
      </ul>
    </section>
  `;
}
