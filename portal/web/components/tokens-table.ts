// The API tokens with their account, label and last use; "Revoke…" asks for a reason first.
import { useState } from 'preact/hooks';
import { api } from '../api-client.ts';
import type { ApiTokenInfo } from '../api-types.ts';
import { time } from '../format-values.ts';
import { html } from '../html.ts';
import { useSubmit } from '../use-submit.ts';
import { ReasonInput } from './reason-input.ts';

export function TokensTable(props: { items: ApiTokenInfo[]; onChange: () => void }) {
  const [revoking, setRevoking] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const { busy, run, messages } = useSubmit();
  const revoke = async (e: Event) => {
    e.preventDefault();
    const id = revoking;
    if (id === null) return;
    const ok = await run(async () => {
      await api.delete(`/tokens/${id}`, { reason });
      return `Token ${id} revoked.`;
    });
    if (ok) {
      setRevoking(null);
      setReason('');
      props.onChange();
    }
  };
  if (props.items.length === 0) return html`<p>No API tokens.</p>`;
  return html`
    <div class="scroll">
      <table data-testid="tokens">
        <caption class="sr-only">
          API tokens
        </caption>
        <thead>
          <tr>
            <th scope="col" class="num">Id</th>
            <th scope="col">Account</th>
            <th scope="col">Label</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col"><span class="sr-only">Revoke</span></th>
          </tr>
        </thead>
        <tbody>
          ${props.items.map(
            (t) =>
              html`<tr key=${t.id} data-token=${t.id} class=${t.id === revoking ? 'selected' : ''}>
                <th scope="row" class="num">${t.id}</th>
                <td>${t.account}</td>
                <td class="wrap">${t.label}</td>
                <td>${time(t.createdAt)}</td>
                <td>${time(t.lastUsedAt)}</td>
                <td>
                  <span class="badge ${t.revoked ? 'off' : 'ok'}"
                    >${t.revoked ? 'revoked' : 'active'}</span
                  >
                </td>
                <td>
                  ${
                    !t.revoked &&
                    html`<button
                      type="button"
                      class="danger"
                      aria-label=${`Revoke token ${t.id}`}
                      onClick=${() => setRevoking(t.id === revoking ? null : t.id)}
                    >
                      Revoke…
                    </button>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      revoking !== null &&
      html`<form class="toolbar" aria-label=${`Revoke token ${revoking}`} onSubmit=${revoke}>
        <${ReasonInput}
          value=${reason}
          onValue=${setReason}
          size=${30}
          label=${html`Reason to revoke token ${revoking}`}
        />
        <button type="submit" class="danger" disabled=${busy}>Revoke token</button>
      </form>`
    }
    ${messages}
  `;
}
