// The fleet table: server-side paging, sorting, filtering and search (state in the URL), live
// rows, sparklines, selection of rows or of everything matching the filter, actions on them
// directly or as a staged rollout, and the CSV export of the same filter.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { hasRole } from '../../auth/roles.ts';
import { api, API_BASE } from '../api-client.ts';
import type { Items, RouterPage, RouterSummary } from '../api-types.ts';
import { ActionForm, type ActionDone, type ActionTargetBody } from '../components/action-form.ts';
import { FleetFilters } from '../components/fleet-filters.ts';
import { FleetTable } from '../components/fleet-table.ts';
import { PageCount } from '../components/page-count.ts';
import {
  exportQuery,
  listQuery,
  viewFrom,
  viewSearch,
  type FleetView,
} from '../fleet-url-state.ts';
import { count } from '../format-values.ts';
import { html } from '../html.ts';
import { navigate } from '../navigation.ts';
import type { PageProps } from '../page-props.ts';
import { useApi } from '../use-api.ts';
import { useLiveRows } from '../use-live-rows.ts';

export function FleetPage(props: PageProps) {
  const view = viewFrom(props.search);
  const query = listQuery(view);
  const list = useApi<RouterPage>(`/routers${query}`);
  // The rows as loaded, then kept current by the event stream (until the next load).
  const [live, setLive] = useState<{ source?: RouterPage; rows: RouterSummary[] }>({ rows: [] });
  const rows = live.source === list.data ? live.rows : (list.data?.items ?? []);
  const [series, setSeries] = useState<ReadonlyMap<string, readonly number[]>>(new Map());
  const [requests, setRequests] = useState<ReadonlyMap<string, string>>(new Map());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const canAct = hasRole(props.operator.role, 'operator');
  const total = list.data?.total ?? 0;

  // A new filter is a new selection.
  const filterKey = JSON.stringify(view.filters);
  useEffect(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, [filterKey]);

  const ids = rows.map((r) => r.id).join(',');
  useEffect(() => {
    if (ids === '') return;
    api
      .get<Items<{ id: string; blocked: number[] }>>(
        `/blocked/series?hours=24&ids=${encodeURIComponent(ids)}`,
      )
      .then(
        (answer) => setSeries(new Map(answer.items.map((s) => [s.id, s.blocked]))),
        () => setSeries(new Map()),
      );
  }, [ids]);

  useLiveRows(
    rows,
    (row) =>
      setLive((current) => {
        const source = list.data;
        const base = current.source === source ? current.rows : (source?.items ?? []);
        return { source, rows: base.map((r) => (r.id === row.id ? row : r)) };
      }),
    (id, status) => setRequests((current) => new Map(current).set(id, status)),
  );

  const go = (next: FleetView) => navigate(`/fleet${viewSearch(next)}`);
  const onSelect = (changed: readonly string[], on: boolean) => {
    setAllMatching(false);
    setSelected((current) => {
      const next = new Set(current);
      for (const id of changed) on ? next.add(id) : next.delete(id);
      return next;
    });
  };

  const target = useMemo((): { body: ActionTargetBody; text: string; many: boolean } | null => {
    if (allMatching)
      return {
        body: { filter: { ...view.filters } as Record<string, string> },
        text: `all ${count(total)} routers matching this filter`,
        many: true,
      };
    if (selected.size === 0) return null;
    const list = [...selected];
    return list.length === 1
      ? { body: { ids: list }, text: `router ${list[0]}`, many: false }
      : { body: { ids: list }, text: `${count(list.length)} selected routers`, many: true };
  }, [allMatching, selected, filterKey, total]);

  const onDone = (done: ActionDone) => {
    if (!done.result) return;
    setRequests((current) => {
      const next = new Map(current);
      for (const o of done.result!.outcomes)
        next.set(o.routerId, o.pending ? 'pending: router offline' : o.ok ? 'sent' : 'failed');
      return next;
    });
  };

  const pageAll = rows.length > 0 && rows.every((r) => selected.has(r.id));
  return html`
    <h1>Fleet</h1>
    <${FleetFilters}
      view=${view}
      onChange=${(filters: FleetView['filters'], limit?: number) =>
        go({ ...view, filters, offset: 0, limit: limit ?? view.limit })}
    />
    ${list.error && html`<p class="error" role="alert">${list.error}</p>`}
    <div class="pager" role="navigation" aria-label="Pages">
      <${PageCount}
        id="fleet-total"
        page=${list.data && { offset: view.offset, rows: rows.length, total }}
        loading=${list.loading}
        after=" routers"
      />
      <button
        type="button"
        disabled=${view.offset === 0}
        onClick=${() => go({ ...view, offset: Math.max(0, view.offset - view.limit) })}
      >
        Previous page
      </button>
      <button
        type="button"
        disabled=${view.offset + view.limit >= total}
        onClick=${() => go({ ...view, offset: view.offset + view.limit })}
      >
        Next page
      </button>
      <a href=${`${API_BASE}/export/routers.csv${exportQuery(view)}`} download="routers.csv"
        >Export CSV (${count(total)} routers)</a
      >
    </div>
    ${
      canAct &&
      (pageAll || allMatching) &&
      total > rows.length &&
      html`<p>
        ${
          allMatching
            ? html`All ${count(total)} routers matching this filter are selected.
                <button
                  type="button"
                  onClick=${() => {
                    setAllMatching(false);
                    setSelected(new Set());
                  }}
                >
                  Clear the selection
                </button>`
            : html`All ${rows.length} routers on this page are selected.
                <button type="button" onClick=${() => setAllMatching(true)}>
                  Select all ${count(total)} matching this filter
                </button>`
        }
      </p>`
    }
    ${canAct && target && html`<${ActionForm} id="fleet-action" target=${target.body} targetText=${target.text} many=${target.many} onDone=${onDone} />`}
    <${FleetTable}
      rows=${rows}
      sort=${view.sort}
      onSort=${(sort: string) => go({ ...view, sort, offset: 0 })}
      series=${series}
      requests=${requests}
      selected=${canAct ? selected : null}
      onSelect=${onSelect}
      ready=${!list.loading && list.data !== undefined}
    />
  `;
}
