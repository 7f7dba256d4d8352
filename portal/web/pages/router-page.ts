// One router: its latest status and state, presence and past runs (boot ids), blocked attempts
// and top LAN sources, the requests sent to it with operator, reason and reply, any request
// still open, and the actions. Kept current by the event stream.
import { hasRole } from '../../auth/roles.ts';
import type { ActionRecord, Items, RouterDetail } from '../api-types.ts';
import { ActionForm } from '../components/action-form.ts';
import { ActionHistory } from '../components/action-history.ts';
import { BlockedChart } from '../components/blocked-chart.ts';
import { BootHistory, PresenceSince } from '../components/boot-history.ts';
import { DeviceFacts, PolicyFacts, PresenceFacts } from '../components/router-facts.ts';
import { EnforcementBadge, PresenceBadge } from '../components/status-badges.ts';
import { TopSourcesTable } from '../components/top-sources-table.ts';
import { useFleetEvents } from '../event-stream.ts';
import { time } from '../format-values.ts';
import { html } from '../html.ts';
import { NotFoundPage } from './not-found-page.ts';
import type { PageProps } from '../page-props.ts';
import { useApi } from '../use-api.ts';

const OPEN = new Set(['sent', 'pending: router offline']);

// One string: htm drops whitespace at line breaks inside templates.
function openText(r: ActionRecord, online: boolean): string {
  const where =
    r.status === 'sent'
      ? online
        ? 'waiting for the reply'
        : 'waiting; the router is offline'
      : 'pending: the router is offline, it gets it when it comes back';
  return `${r.action} sent ${time(r.sentAt)} by ${r.operator}: ${where}`;
}

function OpenRequests(props: { records: readonly ActionRecord[]; online: boolean }) {
  const open = props.records.filter((r) => OPEN.has(r.status));
  if (open.length === 0) return null;
  return html`<div class="notice-box" role="status" data-testid="open-requests">
    <strong>${open.length === 1 ? 'A request is open' : `${open.length} requests are open`}</strong>
    <ul>
      ${open.map((r) => html`<li>${openText(r, props.online)}</li>`)}
    </ul>
  </div>`;
}

export function RouterPage(props: PageProps) {
  const id = props.params.id ?? '';
  const path = `/routers/${encodeURIComponent(id)}`;
  const detail = useApi<RouterDetail>(path);
  const history = useApi<Items<ActionRecord>>(`${path}/actions?limit=50`);
  const canAct = hasRole(props.operator.role, 'operator');

  const reloadBoth = () => {
    history.reload();
    detail.reload();
  };
  useFleetEvents((event) => {
    if (event.type === 'router' && event.id === id) detail.reload();
    if (event.type === 'reply' && event.routerId === id) reloadBoth();
  }, reloadBoth);

  if (detail.error && !detail.data) {
    if (/not found|no such/i.test(detail.error))
      return html`<${NotFoundPage} what=${`There is no router ${id}.`} />`;
    return html`<h1>${id}</h1>
      <p class="error" role="alert">${detail.error}</p>`;
  }
  const r = detail.data;
  if (!r)
    return html`<h1>${id}</h1>
      <p role="status">Loading…</p>`;
  const records = history.data?.items ?? [];
  return html`
    <h1 data-testid="router-title">
      Router ${r.id} <${PresenceBadge} router=${r} /> <${EnforcementBadge} router=${r} />
    </h1>
    <${OpenRequests} records=${records} online=${r.online} />
    ${
      canAct &&
      html`<${ActionForm}
        id="router-action"
        target=${{ id: r.id }}
        targetText=${`router ${r.id}`}
        many=${false}
        onDone=${() => history.reload()}
      />`
    }
    <div class="grid2" data-testid="router-ready">
      <section aria-labelledby="device-heading">
        <h2 id="device-heading">Device</h2>
        <${DeviceFacts} router=${r} />
        <h2 id="presence-heading">Presence and boots</h2>
        <${PresenceSince} router=${r} />
        <${PresenceFacts} router=${r} />
      </section>
      <section aria-labelledby="policy-heading">
        <h2 id="policy-heading">Policy and enforcement</h2>
        <${PolicyFacts} router=${r} />
      </section>
    </div>
    <div class="grid2">
      <${BlockedChart} path=${`${path}/blocked`} id="router-blocked" title="Blocked attempts" />
      <section aria-labelledby="sources-heading">
        <h2 id="sources-heading">Top LAN sources</h2>
        <${TopSourcesTable}
          sources=${r.topSources}
          caption=${`LAN sources behind ${r.id} with the most blocked attempts`}
        />
      </section>
    </div>
    <${BootHistory} router=${r} />
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Desired states and commands</h2>
      ${history.error && html`<p class="error" role="alert">${history.error}</p>`}
      <${ActionHistory} records=${records} />
    </section>
  `;
}
