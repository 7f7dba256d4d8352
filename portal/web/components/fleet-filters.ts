// The fleet table's filters and search, each a labelled control; a change goes to the URL.
import { useEffect, useState } from 'preact/hooks';
import { BACKENDS } from '../../../contract/message-types.ts';
import type { FilterParam, FleetView } from '../fleet-url-state.ts';
import { PAGE_SIZES } from '../fleet-url-state.ts';
import { html } from '../html.ts';

const YES_NO: readonly { name: FilterParam; label: string; yes: string; no: string }[] = [
  { name: 'online', label: 'Presence', yes: 'online', no: 'offline' },
  { name: 'enabled', label: 'Policy', yes: 'enabled', no: 'disabled' },
  { name: 'applied', label: 'Rules', yes: 'applied', no: 'not applied' },
  { name: 'trouble', label: 'Drifted or erroring', yes: 'yes', no: 'no' },
  { name: 'has_error', label: 'Last error', yes: 'has one', no: 'none' },
  { name: 'not_reporting', label: 'Reporting', yes: 'not reporting', no: 'reporting' },
];

export function FleetFilters(props: {
  view: FleetView;
  onChange: (filters: FleetView['filters'], limit?: number) => void;
}) {
  const { filters } = props.view;
  const [q, setQ] = useState(filters.q ?? '');
  useEffect(() => setQ(filters.q ?? ''), [filters.q]);
  const set = (name: FilterParam, value: string) => {
    const next = { ...filters };
    if (value === '') delete next[name];
    else next[name] = value;
    props.onChange(next);
  };
  const select = (e: Event) => (e.currentTarget as HTMLSelectElement).value;

  return html`<form
    class="toolbar"
    role="search"
    aria-label="Filter the fleet"
    onSubmit=${(e: Event) => {
      e.preventDefault();
      set('q', q.trim());
    }}
  >
    <label
      >Search id, model, board, release
      <input
        type="search"
        name="q"
        maxlength="200"
        value=${q}
        onInput=${(e: Event) => setQ((e.currentTarget as HTMLInputElement).value)}
      />
    </label>
    <button type="submit">Search</button>
    ${YES_NO.map(
      (f) =>
        html`<label
          >${f.label}
          <select
            name=${f.name}
            value=${filters[f.name] ?? ''}
            onChange=${(e: Event) => set(f.name, select(e))}
          >
            <option value="">any</option>
            <option value="true">${f.yes}</option>
            <option value="false">${f.no}</option>
          </select>
        </label>`,
    )}
    <label
      >Backend
      <select
        name="backend"
        value=${filters.backend ?? ''}
        onChange=${(e: Event) => set('backend', select(e))}
      >
        <option value="">any</option>
        ${BACKENDS.map((backend) => html`<option value=${backend}>${backend}</option>`)}
      </select>
    </label>
    <label
      >WAN
      <select
        name="wan_proto"
        value=${filters.wan_proto ?? ''}
        onChange=${(e: Event) => set('wan_proto', select(e))}
      >
        <option value="">any</option>
        <option value="pppoe">pppoe</option>
        <option value="dhcp">dhcp</option>
        <option value="static">static</option>
      </select>
    </label>
    <label
      >Rows
      <select
        name="limit"
        value=${String(props.view.limit)}
        onChange=${(e: Event) => props.onChange(filters, Number(select(e)))}
      >
        ${PAGE_SIZES.map((n) => html`<option value=${String(n)}>${n}</option>`)}
      </select>
    </label>
    ${
      Object.keys(filters).length > 0 &&
      html`<button type="button" onClick=${() => props.onChange({})}>Clear filters</button>`
    }
  </form>`;
}
