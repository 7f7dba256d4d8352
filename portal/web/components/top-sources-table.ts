// The LAN addresses with the most blocked attempts behind one router (text from the router).
import type { TopSource } from '../api-types.ts';
import { count } from '../format-values.ts';
import { html } from '../html.ts';

export function TopSourcesTable(props: { sources: readonly TopSource[]; caption: string }) {
  if (props.sources.length === 0) return html`<p class="muted">No blocked LAN sources.</p>`;
  return html`<table class="sources">
    <caption class="sr-only">
      ${props.caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">LAN source</th>
        <th scope="col" class="num">Attempts</th>
      </tr>
    </thead>
    <tbody>
      ${props.sources.map(
        (s) =>
          html`<tr>
            <td class="wrap">${s.address}</td>
            <td class="num">${count(s.attempts)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
