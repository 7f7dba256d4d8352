// Admins only: the accounts (add with a role, change the role, disable) and the API tokens
// (create one, shown once; revoke). Every change carries a reason for the audit log.
import type { Account, ApiTokenInfo, Items } from '../api-types.ts';
import { AddAccountForm } from '../components/account-forms.ts';
import { AccountsTable } from '../components/accounts-table.ts';
import { CreateTokenForm } from '../components/create-token-form.ts';
import { TokensTable } from '../components/tokens-table.ts';
import { html } from '../html.ts';
import type { PageProps } from '../page-props.ts';
import { useApi } from '../use-api.ts';

export function AccountsPage(props: PageProps) {
  const accounts = useApi<Items<Account>>('/accounts');
  const tokens = useApi<Items<ApiTokenInfo>>('/tokens');
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
