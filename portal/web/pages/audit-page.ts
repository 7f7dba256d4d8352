// The audit log: who changed what, on which routers, why, and how it went. Filters by operator,
// action, router and time live in the query string; the service pages (newest first).
import { useState } from 'preact/hooks';
import { queryString } from '../api-client.ts';
import type { AuditEntry, Page } from '../api-types.ts';
import { PageCount } from '../components/page-count.ts';
import { html } from '../html.ts';
import { Link, navigate } from '../navigation.ts';
import type { PageProps } from '../page-props.ts';
import { time } from '../format-values.ts';
import { isoFromInput, localInputValue } from '../time-inputs.ts';
import { useApi } from '../use-api.ts';

interface AuditRecord extends AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly routerCount: number;
}

/** Entries a page shows unless the query string asks for another `limit`. */
const PAGE_SIZE = 50;
const FILTERS = ['operator', 'action', 'router', 'since', 'until'] as const;
type Filter = (typeof FILTERS)[number];
/** Router ids shown in a row; the rest is a count. */
const ROUTERS_SHOWN = 3;

export function AuditPage(props: PageProps) {
  const filters = Object.fromEntries(
    FILTERS.map((name) => [name, props.search.get(name) ?? '']),
  ) as Record<Filter, string>;
  const offset = Math.max(0, Math.floor(Number(props.search.get('offset'))) || 0);
  const asked = Math.floor(Number(props.search.get('limit')));
  const limit = asked >= 1 && asked <= 1000 ? asked : PAGE_SIZE;
  const size = limit === PAGE_SIZE ? undefined : limit;
  const path = `/audit${queryString({ ...filters, limit, offset: offset || undefined })}`;
  const loaded = useApi<Page<AuditRecord>>(path);
  const total = loaded.data?.total ?? 0;
  const pageLink = (at: number) =>
    `/audit${queryString({ ...filters, limit: size, offset: at || undefined })}`;
  return html`
    <h1>Audit log</h1>
    <${AuditFilters} key=${props.search.toString()} filters=${filters} />
    ${loaded.error && html`<p class="error" role="alert">${loaded.error}</p>`}
    <p>
      <${PageCount}
        id="audit-count"
        page=${loaded.data && { offset, rows: loaded.data.items.length, total }}
        loading=${loaded.loading}
        before="Entries"
        after=", newest first"
        empty="No entries match."
      />
    </p>
    ${
      loaded.data &&
      html`
        ${
          loaded.data.items.length > 0 &&
          html`<div class="scroll">
            <table data-testid="audit">
              <caption class="sr-only">
                Audit log entries, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Action</th>
                  <th scope="col">Routers</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                ${loaded.data.items.map(
                  (e) =>
                    html`<tr key=${e.id} data-audit=${e.id}>
                      <td>${time(e.at)}</td>
                      <td>${e.operator}</td>
                      <td>${e.action}</td>
                      <td><${AuditRouters} entry=${e} /></td>
                      <td class="wrap">${e.reason}</td>
                      <td class="wrap">${e.outcome}</td>
                      <td class="wrap">
                        ${detailText(e.detail) && html`<code>${detailText(e.detail)}</code>`}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        }
        <nav class="pager" aria-label="Audit pages">
          ${
            offset > 0 &&
            html`<${Link} href=${pageLink(Math.max(0, offset - limit))}>Newer entries<//>`
          }
          ${
            offset + limit < total &&
            html`<${Link} href=${pageLink(offset + limit)}>Older entries<//>`
          }
        </nav>
      `
    }
  `;
}

/** The entry's detail as compact JSON; nothing for an empty one. */
function detailText(detail: unknown): string {
  if (detail === undefined || detail === null) return '';
  const text = JSON.stringify(detail);
  return text === '{}' ? '' : text;
}

function AuditRouters(props: { entry: AuditRecord }) {
  const { routers, routerCount } = props.entry;
  if (routerCount === 0) return html`<span class="muted">—</span>`;
  const shown = routers.slice(0, ROUTERS_SHOWN);
  const more = routerCount - shown.length;
  return html`${shown.map(
    (id, i) =>
      html`${i > 0 ? ', ' : ''}<${Link} href=${`/routers/${encodeURIComponent(id)}`}>${id}<//>`,
  )}${more > 0 ? ` and ${more} more` : ''}`;
}

function AuditFilters(props: { filters: Record<Filter, string> }) {
  const [values, setValues] = useState<Record<Filter, string>>({
    ...props.filters,
    since: localInputValue(props.filters.since || null),
    until: localInputValue(props.filters.until || null),
  });
  const set = (name: Filter) => (e: Event) =>
    setValues({ ...values, [name]: (e.currentTarget as HTMLInputElement).value.trim() });
  const submit = (e: Event) => {
    e.preventDefault();
    navigate(
      `/audit${queryString({
        operator: values.operator,
        action: values.action,
        router: values.router,
        since: isoFromInput(values.since),
        until: isoFromInput(values.until),
      })}`,
    );
  };
  const field = (name: Filter, label: string, extra: Record<string, string> = {}) =>
    html`<label
      >${label} <input name=${name} value=${values[name]} onInput=${set(name)} ...${extra}
    /></label>`;
  return html`<form
    class="toolbar"
    role="search"
    aria-label="Filter the audit log"
    onSubmit=${submit}
  >
    ${field('operator', 'Operator', { size: '12' })}
    ${field('action', 'Action', { size: '14', placeholder: 'e.g. disable' })}
    ${field('router', 'Router', { size: '14' })}
    ${field('since', 'From', { type: 'datetime-local' })}
    ${field('until', 'Until', { type: 'datetime-local' })}
    <button type="submit" class="primary">Filter</button>
    <${Link} href="/audit">Clear<//>
  </form>`;
}
