// A form's busy flag, its error and its success message around one request at a time: the
// messages are live regions (an alert for the error, a status for what was done).
import { useState } from 'preact/hooks';
import { errorText } from './api-client.ts';
import { html } from './html.ts';

/** A form's busy flag, error and success message around one request. */
export function useSubmit() {
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
