// The desired states and commands sent to one router, newest first: who, why, and the reply.
import type { ActionRecord, ReplyDoc } from '../api-types.ts';
import { time } from '../format-values.ts';
import { html } from '../html.ts';
import { RequestBadge } from './status-badges.ts';

function replyText(reply: ReplyDoc | null): string {
  if (!reply) return '—';
  const parts = [reply.ok ? 'ok' : 'refused'];
  if (reply.error) parts.push(`${reply.error.code}: ${reply.error.message}`);
  if ('note' in reply && reply.note) parts.push(reply.note);
  if ('result' in reply && reply.result) parts.push(JSON.stringify(reply.result));
  return parts.join(' · ');
}

function sentText(r: ActionRecord): string {
  if (r.kind === 'command') return `command ${r.action} (${r.commandId ?? '?'})`;
  const content = r.content as { enabled?: unknown };
  const enabled =
    typeof content.enabled === 'boolean' ? (content.enabled ? ', enabled' : ', disabled') : '';
  return `desired state v${r.version ?? '?'}${enabled}`;
}

export function ActionHistory(props: { records: readonly ActionRecord[] }) {
  if (props.records.length === 0)
    return html`<p class="muted">Nothing sent to this router yet.</p>`;
  return html`<div class="scroll">
    <table data-testid="action-history">
      <caption class="sr-only">
        Desired states and commands sent, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Sent</th>
          <th scope="col">Action</th>
          <th scope="col">What</th>
          <th scope="col">Operator</th>
          <th scope="col">Reason</th>
          <th scope="col">Status</th>
          <th scope="col">Router's reply</th>
          <th scope="col">Replied</th>
        </tr>
      </thead>
      <tbody>
        ${props.records.map(
          (r) =>
            html`<tr key=${r.id} data-action=${r.id}>
              <td>${time(r.sentAt)}</td>
              <th scope="row">
                ${r.action}${r.rolloutId ? html` <span class="muted">(rollout ${r.rolloutId})</span>` : ''}
              </th>
              <td>${sentText(r)}</td>
              <td class="wrap">${r.operator}</td>
              <td class="wrap">${r.reason}</td>
              <td><${RequestBadge} status=${r.status} /></td>
              <td class="wrap">${replyText(r.reply)}</td>
              <td>${time(r.repliedAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
