// A router's presence in words ("Online since ..., for 3 h 12 min") and its past runs of the
// agent (boot ids), newest first, paged by the service (GET /routers/{id}/boots). Every value is
// text: Preact writes it as text, never as markup. Reloaded when the router's run changes.
import { useEffect, useState } from 'preact/hooks';
import { queryString } from '../api-client.ts';
import type { BootEnd, BootRecord, Page, RouterDetail } from '../api-types.ts';
import { duration, time } from '../format-values.ts';
import { html } from '../html.ts';
import { useApi } from '../use-api.ts';
import { PageButtons, usePager } from './page-buttons.ts';
import { PageCount } from './page-count.ts';

const PAGE_SIZE = 10;
const TICK_MS = 30_000;

const ENDED: Record<BootEnd, string> = {
  stopped: 'stopped cleanly (goodbye)',
  lost: 'connection lost (Last Will)',
  offline: 'went offline',
  replaced: 'restarted while online',
};

/** Re-renders every TICK_MS, so "for 3 h 12 min" stays true on a wall display. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

const since = (iso: string | null, now: number) =>
  iso ? `since ${time(iso)}, for ${duration(now - new Date(iso).getTime())}` : 'since: not known';

/** One sentence for the presence, one for the present run. */
export function PresenceSince(props: { router: RouterDetail }) {
  const r = props.router;
  const now = useNow();
  if (r.boot === null)
    return html`<p data-testid="presence-since">No presence reported yet (no state document).</p>`;
  return html`<p data-testid="presence-since">
    <strong>${`${r.online ? 'Online' : 'Offline'} ${since(r.presenceSince, now)}`}</strong>
    <br />
    ${`Present run ${r.boot} ${since(r.bootSeenAt, now)}`}
  </p>`;
}

const lasted = (b: BootRecord) =>
  b.firstSeen ? duration(new Date(b.endedAt).getTime() - new Date(b.firstSeen).getTime()) : '—';

export function BootHistory(props: { router: RouterDetail }) {
  const { router } = props;
  const pager = usePager(PAGE_SIZE);
  const { offset } = pager;
  const path = `/routers/${encodeURIComponent(router.id)}/boots${queryString({
    limit: PAGE_SIZE,
    offset: offset || undefined,
  })}`;
  const loaded = useApi<Page<BootRecord>>(path);
  const { reload } = loaded;
  // A new run ends the previous one: it is in the history now.
  useEffect(reload, [router.boot]);
  const items = loaded.data?.items ?? [];
  const total = loaded.data?.total ?? 0;
  return html`<section aria-labelledby="boots-heading" data-testid="boot-history">
    <h2 id="boots-heading">Past runs (boot ids)</h2>
    <div class="pager" role="navigation" aria-label="Past runs pages">
      <${PageCount}
        id="boots-count"
        page=${loaded.data && { offset, rows: items.length, total }}
        loading=${loaded.loading}
        before="Runs"
        after=", newest first"
        empty="No past runs: the agent has not restarted since the portal first saw it."
      />
      <${PageButtons} pager=${pager} total=${total} back="Newer runs" on="Older runs" />
    </div>
    ${loaded.error && html`<p class="error" role="alert">${loaded.error}</p>`}
    ${
      items.length > 0 &&
      html`<div class="scroll">
        <table data-testid="boots">
          <caption class="sr-only">
            ${`Past runs of the agent on ${router.id}, newest first`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Boot id</th>
              <th scope="col">Agent version</th>
              <th scope="col">First seen</th>
              <th scope="col">Ended</th>
              <th scope="col">Lasted</th>
              <th scope="col">How it ended</th>
            </tr>
          </thead>
          <tbody>
            ${items.map(
              (b) =>
                html`<tr key=${b.boot} data-boot=${b.boot}>
                  <th scope="row" class="wrap">${b.boot}</th>
                  <td class="wrap">${b.agentVersion ?? '—'}</td>
                  <td>${b.firstSeen ? time(b.firstSeen) : 'not known'}</td>
                  <td>${time(b.endedAt)}</td>
                  <td>${lasted(b)}</td>
                  <td>${ENDED[b.endedBy] ?? b.endedBy}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`
    }
  </section>`;
}
