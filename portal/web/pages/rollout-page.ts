// One staged rollout: what it does and why, its waves with their replies, why it halted, and
// (operators) pause, resume and abort with a reason. Live from the event stream.
import { useState } from 'preact/hooks';
import { hasRole } from '../../auth/roles.ts';
import { api, errorText } from '../api-client.ts';
import type { RolloutRecord } from '../api-types.ts';
import {
  progressText,
  rolloutProgress,
  RolloutStateBadge,
  type RolloutProgress,
} from '../components/rollout-state.ts';
import { ReasonInput } from '../components/reason-input.ts';
import { RolloutReplies } from '../components/rollout-replies.ts';
import { useFleetEvents } from '../event-stream.ts';
import { html } from '../html.ts';
import { newestRollout } from '../newest-rollout.ts';
import { Link } from '../navigation.ts';
import type { PageProps } from '../page-props.ts';
import { time } from '../format-values.ts';
import { useApi } from '../use-api.ts';

type Verb = 'pause' | 'resume' | 'abort';

/** What the service accepts in each state (portal/control/rollout-runner.ts). */
function verbsFor(state: RolloutRecord['state']): Verb[] {
  if (state === 'running') return ['pause', 'abort'];
  if (state === 'paused' || state === 'halted') return ['resume', 'abort'];
  return [];
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;

// Whole sentences as one string: htm drops the white space at the line breaks of a template.
const haltsWhen = (r: RolloutRecord) =>
  `errors pass ${percent(r.maxErrorShare)} or missing replies pass ` +
  `${percent(r.maxMissingShare)} of a wave (replies awaited ${Math.round(r.waveTimeoutMs / 100) / 10} s)`;

const settledText = (p: RolloutProgress, total: number) =>
  `${p.ok} ok, ${p.errors} error replies, ${p.missing} missing, ${p.failed} not published; ` +
  `${p.sent} of ${total} routers sent to.`;

export function RolloutPage(props: PageProps) {
  const id = props.params.id ?? '';
  const loaded = useApi<RolloutRecord>(`/rollouts/${encodeURIComponent(id)}`);
  // The newest version from the event stream or a control's answer; shown over the snapshot
  // only if it is the later change.
  const [live, setLive] = useState<RolloutRecord | undefined>(undefined);
  const seen = (next: RolloutRecord) => setLive((cur) => newestRollout(cur, next));
  useFleetEvents((event) => {
    if (event.type === 'rollout' && event.rollout.id === id) seen(event.rollout);
  }, loaded.reload);
  const rollout = newestRollout(loaded.data, live);

  if (loaded.error)
    return html`<h1>Rollout ${id}</h1>
      <p class="error" role="alert">${loaded.error}</p>
      <p><${Link} href="/rollouts">All rollouts<//></p>`;
  if (!rollout)
    return html`<h1>Rollout ${id}</h1>
      <p role="status">Loading…</p>`;
  const r = rollout;
  const p = rolloutProgress(r);
  const canAct = hasRole(props.operator.role, 'operator');
  return html`
    <p><${Link} href="/rollouts">All rollouts<//></p>
    <h1>Rollout ${r.id}</h1>
    <div class="grid2">
      <section aria-labelledby="what-heading">
        <h2 id="what-heading">What and why</h2>
        <dl class="facts">
          <dt>State</dt>
          <dd data-testid="rollout-state"><${RolloutStateBadge} state=${r.state} /></dd>
          ${
            r.haltReason &&
            html`<dt>Halted because</dt>
              <dd data-testid="halt-reason">${r.haltReason}</dd>`
          }
          <dt>Action</dt>
          <dd>${r.action}</dd>
          ${
            r.policy &&
            html`<dt>Policy change</dt>
              <dd><code>${JSON.stringify(r.policy)}</code></dd>`
          }
          <dt>Reason</dt>
          <dd>${r.reason}</dd>
          <dt>Operator</dt>
          <dd>${r.operator}</dd>
          <dt>Routers</dt>
          <dd>${r.total}</dd>
          <dt>Halts when</dt>
          <dd>${haltsWhen(r)}</dd>
          <dt>Started</dt>
          <dd>${time(r.createdAt)}</dd>
          <dt>Last change</dt>
          <dd>${time(r.updatedAt)}</dd>
        </dl>
      </section>
      <section aria-labelledby="progress-heading">
        <h2 id="progress-heading">Progress</h2>
        <p>
          <label for="rollout-progress">${progressText(r)}</label><br />
          <progress id="rollout-progress" max=${r.total} value=${p.settled}></progress>
        </p>
        <p>${settledText(p, r.total)}</p>
        ${canAct && html`<${RolloutControls} rollout=${r} onChange=${seen} />`}
      </section>
    </div>
    <h2 id="waves-heading">Waves</h2>
    <div class="scroll">
      <table aria-labelledby="waves-heading" data-testid="waves">
        <thead>
          <tr>
            <th scope="col">Wave</th>
            <th scope="col" class="num">Routers</th>
            <th scope="col">State</th>
            <th scope="col" class="num">OK</th>
            <th scope="col" class="num">Errors</th>
            <th scope="col" class="num">Missing</th>
            <th scope="col" class="num">Not published</th>
            <th scope="col">Sent</th>
            <th scope="col">Over</th>
          </tr>
        </thead>
        <tbody>
          ${r.waves.map(
            (w) =>
              html`<tr key=${w.index} data-wave=${w.index + 1}>
                <th scope="row">${w.index + 1}</th>
                <td class="num">${w.size}</td>
                <td>${w.state}</td>
                <td class="num">${w.ok}</td>
                <td class="num">${w.errors}</td>
                <td class="num">${w.missing}</td>
                <td class="num">${w.failed}</td>
                <td>${time(w.startedAt)}</td>
                <td>${time(w.finishedAt)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <${RolloutReplies} rollout=${r} />
  `;
}

function RolloutControls(props: { rollout: RolloutRecord; onChange: (r: RolloutRecord) => void }) {
  const { rollout } = props;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const verbs = verbsFor(rollout.state);
  if (verbs.length === 0) return html`<p class="muted">This rollout is ${rollout.state}.</p>`;
  const run = async (verb: Verb) => {
    setError('');
    setDone('');
    if (reason.trim() === '') {
      setError(`Give a reason to ${verb} the rollout.`);
      return;
    }
    setBusy(true);
    try {
      const next = await api.post<RolloutRecord>(
        `/rollouts/${encodeURIComponent(rollout.id)}/${verb}`,
        { reason: reason.trim() },
      );
      props.onChange(next);
      setReason('');
      setDone(`Rollout ${next.state}.`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form
      class="toolbar"
      aria-label="Control the rollout"
      onSubmit=${(e: Event) => e.preventDefault()}
    >
      <${ReasonInput} value=${reason} onValue=${setReason} size=${32} required=${false} />
      <div class="actions">
        ${verbs.map(
          (verb) =>
            html`<button
              type="button"
              class=${verb === 'abort' ? 'danger' : ''}
              disabled=${busy}
              onClick=${() => void run(verb)}
            >
              ${verb[0]!.toUpperCase() + verb.slice(1)}
            </button>`,
        )}
      </div>
    </form>
    <p class="error" role="alert">${error}</p>
    <p role="status">${done}</p>
  `;
}
