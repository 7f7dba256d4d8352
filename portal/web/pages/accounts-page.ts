// Admins only: the accounts (add with a role, change the role, disable) and the API tokens
// (create one, shown once; revoke). Every change carries a reason for the audit log.
import { useState } from 'preact/hooks';
import { api, errorText } from '../api-client.ts';
import type { Items, Operator, Role } from '../api-types.ts';
import { html } from '../html.ts';
import type { PageProps } from '../page-props.ts';
import { ReasonInput } from '../components/reason-input.ts';
import { time } from '../format-values.ts';
import { useApi } from '../use-api.ts';

interface Account {
  readonly name: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly createdAt: string;
}

interface TokenInfo {
  readonly id: number;
  readonly account: string;
  readonly label: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revoked: boolean;
}

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

const valueOf = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;

/** A form's busy flag, error and success message around one request. */
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setError('');
    setDone('');
    try {
      setDone(await work());
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const messages = html`<p class="error" role="alert">${error}</p>
    <p role="status">${done}</p>`;
  return { busy, run, messages };
}

export function AccountsPage(props: PageProps) {
  const accounts = useApi<Items<Account>>('/accounts');
  const tokens = useApi<Items<TokenInfo>>('/tokens');
  return html`
    <h1>Accounts and API tokens</h1>
    <section aria-labelledby="accounts-heading">
      <h2 id="accounts-heading">Accounts</h2>
      ${accounts.error && html`<p class="error" role="alert">${accounts.error}</p>`}
      ${
        accounts.data &&
        html`<${AccountsTable}
          items=${accounts.data.items}
          me=${props.operator}
          onChange=${accounts.reload}
        />`
      }
      <${AddAccountForm} onAdded=${accounts.reload} />
    </section>
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      ${tokens.error && html`<p class="error" role="alert">${tokens.error}</p>`}
      ${tokens.data && html`<${TokensTable} items=${tokens.data.items} onChange=${tokens.reload} />`}
      <${CreateTokenForm}
        accounts=${accounts.data?.items.filter((a) => !a.disabled) ?? []}
        onCreated=${tokens.reload}
      />
    </section>
  `;
}

function AccountsTable(props: { items: Account[]; me: Operator; onChange: () => void }) {
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

function ChangeAccountForm(props: { account: Account; onDone: () => void }) {
  const { account } = props;
  const [role, setRole] = useState<Role>(account.role);
  const [disabled, setDisabled] = useState(account.disabled);
  const [reason, setReason] = useState('');
  const { busy, run, messages } = useSubmit();
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(async () => {
      await api.patch(`/accounts/${encodeURIComponent(account.name)}`, {
        ...(role !== account.role && { role }),
        ...(disabled !== account.disabled && { disabled }),
        reason,
      });
      return `${account.name} changed.`;
    });
    if (ok) props.onDone();
  };
  return html`<form class="toolbar" aria-label=${`Change ${account.name}`} onSubmit=${submit}>
      <label
        >Role of ${account.name}
        <select name="role" value=${role} onChange=${(e: Event) => setRole(valueOf(e) as Role)}>
          ${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}
        </select></label
      >
      <label
        ><span>Disabled</span>
        <input
          type="checkbox"
          name="disabled"
          checked=${disabled}
          onChange=${(e: Event) => setDisabled((e.currentTarget as HTMLInputElement).checked)}
      /></label>
      <${ReasonInput} value=${reason} onValue=${setReason} size=${30} />
      <button type="submit" class="primary" disabled=${busy}>Save</button>
    </form>
    ${messages}`;
}

function AddAccountForm(props: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [reason, setReason] = useState('');
  const { busy, run, messages } = useSubmit();
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(async () => {
      await api.post('/accounts', { name, role, ...(password && { password }), reason });
      return `Account ${name} added as ${role}.`;
    });
    if (ok) {
      setName('');
      setPassword('');
      setReason('');
      props.onAdded();
    }
  };
  return html`<h3>Add an account</h3>
    <form class="toolbar" aria-label="Add an account" onSubmit=${submit}>
      <label
        >Name
        <input
          name="name"
          required
          size="16"
          maxlength="64"
          autocomplete="off"
          value=${name}
          onInput=${(e: Event) => setName(valueOf(e))}
      /></label>
      <label
        >Role
        <select name="role" value=${role} onChange=${(e: Event) => setRole(valueOf(e) as Role)}>
          ${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}
        </select></label
      >
      <label
        >Password (at least 10 characters; none: tokens only)
        <input
          name="password"
          type="password"
          autocomplete="new-password"
          value=${password}
          onInput=${(e: Event) => setPassword(valueOf(e))}
      /></label>
      <${ReasonInput} value=${reason} onValue=${setReason} size=${24} />
      <button type="submit" class="primary" disabled=${busy}>Add account</button>
    </form>
    ${messages}`;
}

function TokensTable(props: { items: TokenInfo[]; onChange: () => void }) {
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

function CreateTokenForm(props: { accounts: Account[]; onCreated: () => void }) {
  const [account, setAccount] = useState('');
  const [label, setLabel] = useState('');
  const [reason, setReason] = useState('');
  const [secret, setSecret] = useState<{ token: string; account: string } | null>(null);
  const { busy, run, messages } = useSubmit();
  const chosen = account || props.accounts[0]?.name || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setSecret(null);
    const ok = await run(async () => {
      const answer = await api.post<{ token: string; info: TokenInfo }>('/tokens', {
        account: chosen,
        ...(label && { label }),
        reason,
      });
      setSecret({ token: answer.token, account: chosen });
      return `Token ${answer.info.id} created for ${chosen}.`;
    });
    if (ok) {
      setLabel('');
      setReason('');
      props.onCreated();
    }
  };
  return html`<h3>Create an API token</h3>
    <form class="toolbar" aria-label="Create an API token" onSubmit=${submit}>
      <label
        >Account
        <select name="account" value=${chosen} onChange=${(e: Event) => setAccount(valueOf(e))}>
          ${props.accounts.map((a) => html`<option value=${a.name}>${a.name} (${a.role})</option>`)}
        </select></label
      >
      <label
        >Label
        <input
          name="label"
          size="20"
          maxlength="100"
          value=${label}
          onInput=${(e: Event) => setLabel(valueOf(e))}
      /></label>
      <${ReasonInput} value=${reason} onValue=${setReason} size=${24} />
      <button type="submit" class="primary" disabled=${busy || !chosen}>Create token</button>
    </form>
    ${messages}
    ${
      secret &&
      html`<div class="notice" data-testid="new-token">
        <label for="new-token"
          >The new token for ${secret.account}: copy it now, it is shown only once.</label
        >
        <input id="new-token" readonly size="60" value=${secret.token} />
      </div>`
    }`;
}
