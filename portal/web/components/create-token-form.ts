// Creating an API token for an active account, with a label and a reason; the secret is shown
// once, right after, and never again.
import { useState } from 'preact/hooks';
import { api } from '../api-client.ts';
import type { Account, ApiTokenInfo } from '../api-types.ts';
import { html } from '../html.ts';
import { valueOf } from '../input-value.ts';
import { useSubmit } from '../use-submit.ts';
import { ReasonInput } from './reason-input.ts';

export function CreateTokenForm(props: { accounts: Account[]; onCreated: () => void }) {
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
      const answer = await api.post<{ token: string; info: ApiTokenInfo }>('/tokens', {
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
