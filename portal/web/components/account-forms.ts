// Adding an account (name, role, optional password) and changing one (role, disabled), each
// with a reason for the audit log.
import { useState } from 'preact/hooks';
import { ROLES } from '../../auth/roles.ts';
import { api } from '../api-client.ts';
import type { Account, Role } from '../api-types.ts';
import { html } from '../html.ts';
import { valueOf } from '../input-value.ts';
import { useSubmit } from '../use-submit.ts';
import { ReasonInput } from './reason-input.ts';

export function ChangeAccountForm(props: { account: Account; onDone: () => void }) {
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

export function AddAccountForm(props: { onAdded: () => void }) {
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
