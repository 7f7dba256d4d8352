// A rollout's requests and the routers' replies, in wave then router order, filtered by status
// and paged by the service (GET /rollouts/{id}/actions). Reloaded when the rollout changes.
import { useEffect, useState } from 'preact/hooks';
import { queryString } from '../api-client.ts';
import type { ActionStatus, Page, RolloutRecord } from '../api-types.ts';
import type { RolloutActionRecord } from '../../core/rollout.ts';
import { time } from '../format-values.ts';
import { html } from '../html.ts';
import { Link } from '../navigation.ts';
import { useApi } from '../use-api.ts';
import { PageButtons, usePager } from './page-buttons.ts';
import { PageCount } from './page-count.ts';
import { RequestBadge } from './status-badges.ts';

const PAGE_SIZE = 50;
const STATUSES: readonly ActionStatus[] = [
  'error',
  'no reply',
  'failed',
  'sent',
  'pending: router offline',
  'ok',
];

function replyText(r: RolloutActionRecord): string {
  const reply = r.reply;
  if (!reply) return '—';
  if (reply.error) return `${reply.error.code}: ${reply.error.message}`;
  return 'note' in reply && reply.note ? `ok · ${reply.note}` : 'ok';
}

export function RolloutReplies(props: { rollout: RolloutRecord }) {
  const { rollout } = props;
  const [status, setStatus] = useState('');
  const pager = usePager(PAGE_SIZE);
  const { offset, setOffset } = pager;
  const path = `/rollouts/${encodeURIComponent(rollout.id)}/actions${queryString({
    status,
    limit: PAGE_SIZE,
    offset: offset || undefined,
  })}`;
  const loaded = useApi<Page<RolloutActionRecord>>(path);
  const { reload } = loaded;
  useEffect(reload, [rollout.updatedAt]);
  const items = loaded.data?.items ?? [];
  const total = loaded.data?.total ?? 0;
  return html`<section aria-labelledby="replies-heading">
    <h2 id="replies-heading">Routers and replies</h2>
    <div class="toolbar">
      <label
        >Status
        <select
          name="status"
          aria-label="Requests in status"
          value=${status}
          onChange=${(e: Event) => {
            setStatus((e.currentTarget as HTMLSelectElement).value);
            setOffset(0);
          }}
        >
          <option value="">any</option>
          ${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </label>
      <${PageCount}
        id="replies-count"
        page=${loaded.data && { offset, rows: items.length, total }}
        loading=${loaded.loading}
        before="Requests"
        empty="No requests match."
      />
      <${PageButtons} pager=${pager} total=${total} back="Previous" on="Next" />
    </div>
    ${loaded.error && html`<p class="error" role="alert">${loaded.error}</p>`}
    ${
      items.length > 0 &&
      html`<div class="scroll">
        <table data-testid="replies">
          <caption class="sr-only">
            The rollout's requests, in wave then router order
          </caption>
          <thead>
            <tr>
              <th scope="col">Router</th>
              <th scope="col" class="num">Wave</th>
              <th scope="col">Status</th>
              <th scope="col">Router's reply</th>
              <th scope="col">Sent</th>
              <th scope="col">Replied</th>
            </tr>
          </thead>
          <tbody>
            ${items.map(
              (a) =>
                html`<tr key=${a.id} data-router=${a.routerId}>
                  <th scope="row">
                    <${Link} href=${`/routers/${encodeURIComponent(a.routerId)}`}>${a.routerId}<//>
                  </th>
                  <td class="num">${a.wave + 1}</td>
                  <td><${RequestBadge} status=${a.status} /></td>
                  <td class="wrap">${replyText(a)}</td>
                  <td>${time(a.sentAt)}</td>
                  <td>${time(a.repliedAt)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`
    }
  </section>`;
}
