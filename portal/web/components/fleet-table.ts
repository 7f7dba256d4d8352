// One page of the fleet list as a real table: sortable column headers (buttons, aria-sort),
// a checkbox per row, presence and enforcement in words, a sparkline of blocked attempts.
import type { RouterSummary } from '../api-types.ts';
import { ago, count } from '../format-values.ts';
import { html } from '../html.ts';
import { Link } from '../navigation.ts';
import { Sparkline } from './sparkline.ts';
import { EnforcementBadge, PresenceBadge, RequestBadge } from './status-badges.ts';

const COLUMNS: readonly { label: string; sort?: string; num?: boolean }[] = [
  { label: 'Router', sort: 'id' },
  { label: 'Presence' },
  { label: 'Enforcement' },
  { label: 'Model', sort: 'model' },
  { label: 'WAN' },
  { label: 'Backend' },
  { label: 'Version', sort: 'applied_version', num: true },
  { label: 'Blocked 24 h', sort: 'blocked', num: true },
  { label: 'Last 24 h' },
  { label: 'Last seen', sort: 'last_seen' },
  { label: 'Last request' },
];

export interface FleetTableProps {
  rows: readonly RouterSummary[];
  sort: string;
  onSort: (sort: string) => void;
  series: ReadonlyMap<string, readonly number[]>;
  /** Request status per router for what this page sent (sending, sent, ok, error...). */
  requests: ReadonlyMap<string, string>;
  /** null: no selection column (viewers). */
  selected: ReadonlySet<string> | null;
  onSelect: (ids: readonly string[], on: boolean) => void;
  ready: boolean;
}

function SortHeader(props: {
  label: string;
  sortKey: string;
  sort: string;
  onSort: (s: string) => void;
  num?: boolean;
}) {
  const active = props.sort.replace(/^-/, '') === props.sortKey;
  const desc = props.sort.startsWith('-');
  const next = active && !desc ? `-${props.sortKey}` : props.sortKey;
  return html`<th
    scope="col"
    class=${props.num ? 'num' : ''}
    aria-sort=${active ? (desc ? 'descending' : 'ascending') : 'none'}
  >
    <button type="button" class="sort" onClick=${() => props.onSort(next)}>
      ${props.label}<span aria-hidden="true">${active ? (desc ? ' ▼' : ' ▲') : ''}</span>
    </button>
  </th>`;
}

export function FleetTable(props: FleetTableProps) {
  const { rows, selected } = props;
  const allOnPage = selected !== null && rows.length > 0 && rows.every((r) => selected.has(r.id));
  return html`<div class="scroll">
    <table
      data-testid="fleet-table"
      data-state=${props.ready ? 'ready' : 'loading'}
      aria-busy=${props.ready ? 'false' : 'true'}
    >
      <caption class="sr-only">
        Routers, one page of the fleet
      </caption>
      <thead>
        <tr>
          ${
            selected !== null &&
            html`<th scope="col">
              <input
                type="checkbox"
                aria-label="Select every router on this page"
                checked=${allOnPage}
                onChange=${(e: Event) =>
                  props.onSelect(
                    rows.map((r) => r.id),
                    (e.currentTarget as HTMLInputElement).checked,
                  )}
              />
            </th>`
          }
          ${COLUMNS.map((c) =>
            c.sort
              ? html`<${SortHeader}
                  label=${c.label}
                  sortKey=${c.sort}
                  sort=${props.sort}
                  onSort=${props.onSort}
                  num=${c.num}
                />`
              : html`<th scope="col" class=${c.num ? 'num' : ''}>${c.label}</th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${rows.map((r) => {
          const request = props.requests.get(r.id);
          return html`<tr
            key=${r.id}
            data-router=${r.id}
            class=${selected?.has(r.id) ? 'selected' : ''}
          >
            ${
              selected !== null &&
              html`<td>
                <input
                  type="checkbox"
                  aria-label=${`Select ${r.id}`}
                  checked=${selected.has(r.id)}
                  onChange=${(e: Event) => props.onSelect([r.id], (e.currentTarget as HTMLInputElement).checked)}
                />
              </td>`
            }
            <th scope="row"><${Link} href=${`/routers/${encodeURIComponent(r.id)}`}>${r.id}<//></th>
            <td><${PresenceBadge} router=${r} /></td>
            <td>
              <${EnforcementBadge} router=${r} />
              ${r.lastError && html` <span class="wrap" title=${r.lastError.message}>${r.lastError.code}</span>`}
            </td>
            <td class="wrap">${r.model ?? '—'}</td>
            <td>${r.wanProto ?? '—'}</td>
            <td>${r.backend ?? '—'}</td>
            <td class="num">${r.appliedVersion ?? '—'}</td>
            <td class="num">${count(r.blocked)}</td>
            <td>
              <${Sparkline}
                values=${props.series.get(r.id)}
                label=${`Blocked attempts of ${r.id}`}
              />
            </td>
            <td>${ago(r.lastSeen)}</td>
            <td>${request ? html`<${RequestBadge} status=${request} />` : '—'}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}
