// The login form: POST /login; the service sets the session and CSRF cookies.
import { useState } from 'preact/hooks';
import { api, errorText } from '../api-client.ts';
import type { LoginAnswer, Operator } from '../api-types.ts';
import { html } from '../html.ts';

export function LoginPage(props: { onLogin: (operator: Operator) => void; notice?: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const answer = await api.post<LoginAnswer>('/login', { name, password });
      props.onLogin(answer.operator);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return html`
    <main id="main" class="login">
      <h1>OP25B portal</h1>
      <form onSubmit=${submit} aria-describedby="login-error">
        ${props.notice && html`<p class="notice" role="status">${props.notice}</p>`}
        <label for="login-name">Name</label>
        <input
          id="login-name"
          name="name"
          autocomplete="username"
          required
          value=${name}
          onInput=${(e: Event) => setName((e.currentTarget as HTMLInputElement).value)}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value=${password}
          onInput=${(e: Event) => setPassword((e.currentTarget as HTMLInputElement).value)}
        />
        <p id="login-error" class="error" role="alert">${error}</p>
        <button type="submit" disabled=${busy}>Log in</button>
      </form>
    </main>
  `;
}
