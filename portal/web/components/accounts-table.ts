// The accounts with their role and status; "Change…" opens the change form under the table
// for one account at a time (your own row says "you" instead).
import { useState } from 'preact/hooks';
import type { Account, Operator } from '../api-types.ts';
import { time } from '../format-values.ts';
import { html } from '../html.ts';
import { ChangeAccountForm } from './account-forms.ts';

export function AccountsTable(props: { items: Account[]; me: Operator; onChange: () => void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const account = props.items.find((a) => a.name === editing);
  return html`
    <div class="scroll">
      <table data-testid="accounts">
        <caption class="sr-only">
          Accounts
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col"><span class="sr-only">Change</span></th>
          </tr>
        </thead>
        <tbody>
          ${props.items.map(
            (a) =>
              html`<tr
                key=${a.name}
                data-account=${a.name}
                class=${a.name === editing ? 'selected' : ''}
              >
                <th scope="row">${a.name}</th>
                <td>${a.role}</td>
                <td>
                  <span class="badge ${a.disabled ? 'off' : 'ok'}"
                    >${a.disabled ? 'disabled' : 'active'}</span
                  >
                </td>
                <td>${time(a.createdAt)}</td>
                <td>
                  ${
                    a.name === props.me.name
                      ? html`<span class="muted">you</span>`
                      : html`<button
                          type="button"
                          aria-label=${`Change ${a.name}`}
                          aria-expanded=${a.name === editing}
                          onClick=${() => setEditing(a.name === editing ? null : a.name)}
                        >
                          Change…
                        </button>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      account &&
      html`<${ChangeAccountForm}
        key=${account.name}
        account=${account}
        onDone=${() => {
          setEditing(null);
          props.onChange();
        }}
      />`
    }
  `;
}
