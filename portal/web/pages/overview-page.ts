// The morning page: the fleet's counts (each a link to the fleet table filtered that way), the
// fleet-wide blocked attempts over time, and the routers with the most blocked attempts in 24 h.
import { useEffect } from 'preact/hooks';
import type { FleetSummary, Items, TopBlockedRouter } from '../api-types.ts';
import { BlockedChart } from '../components/blocked-chart.ts';
import { count } from '../format-values.ts';
import { html } from '../html.ts';
import { Link } from '../navigation.ts';
import { useApi } from '../use-api.ts';

const REFRESH_MS = 30_000;

const COUNTS: readonly { key: keyof FleetSummary; label: string; href: string }[] = [
  { key: 'routers', label: 'Routers', href: '/fleet' },
  { key: 'online', label: 'Online', href: '/fleet?online=true' },
  { key: 'enforcing', label: 'Enforcing', href: '/fleet?enabled=true&applied=true' },
  { key: 'disabled', label: 'Disabled', href: '/fleet?enabled=false' },
  { key: 'driftedOrErroring', label: 'Drifted or erroring', href: '/fleet?trouble=true' },
  { key: 'notReporting', label: 'Not reporting', href: '/fleet?not_reporting=true' },
];

function TopBlocked() {
  const top = useApi<Items<TopBlockedRouter>>('/top-blocked?hours=24&limit=10');
  return html`<section aria-labelledby="top-heading">
    <h2 id="top-heading">Likely infected customers: most blocked attempts in 24 h</h2>
    ${top.error && html`<p class="error" role="alert">${top.error}</p>`}
    ${
      top.data && top.data.items.length === 0
        ? html`<p class="muted">No blocked attempts in the last 24 hours.</p>`
        : html`<div class="scroll">
            <table data-testid="top-blocked">
              <thead>
                <tr>
                  <th scope="col">Router</th>
                  <th scope="col">Model</th>
                  <th scope="col" class="num">Blocked (24 h)</th>
                  <th scope="col">Top LAN sources (attempts)</th>
                </tr>
              </thead>
              <tbody>
                ${(top.data?.items ?? []).map(
                  (r) =>
                    html`<tr>
                      <th scope="row">
                        <${Link} href=${`/routers/${encodeURIComponent(r.id)}`}>${r.id}<//>
                      </th>
                      <td class="wrap">${r.model ?? '—'}</td>
                      <td class="num">${count(r.blocked)}</td>
                      <td class="wrap">
                        ${
                          r.topSources
                            .map((s) => `${s.address} (${count(s.attempts)})`)
                            .join(', ') || '—'
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}

export function OverviewPage() {
  const summary = useApi<FleetSummary>('/summary');
  useEffect(() => {
    const timer = setInterval(summary.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
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
                  >${summary.data ? count(summary.data[c.key]) : '…'}</span
                >
                ${c.label}
              <//>
            </li>`,
        )}
      </ul>
    </section>
    <div class="grid2">
      <${BlockedChart} path="/blocked" id="fleet-blocked" title="Blocked attempts, whole fleet" />
      <${TopBlocked} />
    </div>
  `;
}
