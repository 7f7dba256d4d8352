// Staged rollouts, newest first, with their state and progress; live from the event stream.
import { useState } from 'preact/hooks';
import type { Items, RolloutRecord } from '../api-types.ts';
import { progressText, rolloutProgress, RolloutStateBadge } from '../components/rollout-state.ts';
import { useFleetEvents } from '../event-stream.ts';
import { html } from '../html.ts';
import { rememberRollout, withRollouts } from '../newest-rollout.ts';
import { Link } from '../navigation.ts';
import { time } from '../format-values.ts';
import { useApi } from '../use-api.ts';

export function RolloutsPage() {
  const loaded = useApi<Items<RolloutRecord>>('/rollouts');
  // What the event stream brought, kept also before the list is loaded (it may be older).
  const [seen, setSeen] = useState<RolloutRecord[]>([]);
  useFleetEvents((event) => {
    if (event.type === 'rollout') setSeen((list) => rememberRollout(list, event.rollout));
  }, loaded.reload);
  const items = loaded.data && withRollouts(loaded.data.items, seen);
  return html`
    <h1>Rollouts</h1>
    <p class="muted">
      Bulk changes sent in waves; a wave goes out when the previous one has answered, and a rollout
      halts by itself when too many of a wave's routers answer with errors or not at all. Start one
      from the fleet table.
    </p>
    ${loaded.error && html`<p class="error" role="alert">${loaded.error}</p>`}
    ${
      !items
        ? html`<p role="status">Loading…</p>`
        : items.length === 0
          ? html`<p role="status">No rollouts yet.</p>`
          : html`<div class="scroll">
              <table data-testid="rollouts">
                <caption class="sr-only">
                  Staged rollouts, newest first
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Rollout</th>
                    <th scope="col">Action</th>
                    <th scope="col">State</th>
                    <th scope="col">Progress</th>
                    <th scope="col" class="num">Errors</th>
                    <th scope="col" class="num">Missing</th>
                    <th scope="col">Operator</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Started</th>
                  </tr>
                </thead>
                <tbody>
                  ${items.map((r) => {
                    const p = rolloutProgress(r);
                    return html`<tr key=${r.id} data-rollout=${r.id}>
                      <th scope="row">
                        <${Link} href=${`/rollouts/${encodeURIComponent(r.id)}`}>${r.id}<//>
                      </th>
                      <td>${r.action}</td>
                      <td>
                        <${RolloutStateBadge} state=${r.state} />
                        ${r.haltReason && html` <span class="wrap">${r.haltReason}</span>`}
                      </td>
                      <td>${progressText(r)}</td>
                      <td class="num">${p.errors + p.failed}</td>
                      <td class="num">${p.missing}</td>
                      <td>${r.operator}</td>
                      <td class="wrap">${r.reason}</td>
                      <td>${time(r.createdAt)}</td>
                    </tr>`;
                  })}
                </tbody>
              </table>
            </div>`
    }
  `;
}
