// Acting on routers: enable, disable, reapply or verify, with the reason the audit log keeps;
// for a selection also as a staged rollout (POST /rollouts) instead of at once (POST /actions).
// Shown only to operators and admins; the API refuses everyone else anyway.
import { useState } from 'preact/hooks';
import { api, errorText } from '../api-client.ts';
import type { ActionKind, ActionResult, RolloutRecord } from '../api-types.ts';
import { count } from '../format-values.ts';
import { html } from '../html.ts';
import { Link } from '../navigation.ts';

export type ActionTargetBody =
  { id: string } | { ids: string[] } | { filter: Record<string, string> };

const KINDS: readonly { kind: ActionKind; label: string }[] = [
  { kind: 'disable', label: 'Disable the block' },
  { kind: 'enable', label: 'Enable the block' },
  { kind: 'reapply', label: 'Reapply the rules' },
  { kind: 'verify', label: 'Verify the rules' },
];

export interface ActionDone {
  readonly result?: ActionResult;
  readonly rollout?: RolloutRecord;
}

function parseWaves(text: string): number[] | null {
  const waves = text.split(',').map((w) => Number(w.trim()));
  return waves.length > 0 && waves.every((w) => Number.isFinite(w) && w > 0 && w <= 100)
    ? waves
    : null;
}

export function ActionForm(props: {
  id: string;
  target: ActionTargetBody;
  /** What the target is, in words: "router x", "3 selected routers", "all 1,234 matching". */
  targetText: string;
  /** More than one router: a staged rollout is offered. */
  many: boolean;
  onDone: (done: ActionDone) => void;
}) {
  const [kind, setKind] = useState<ActionKind>('disable');
  const [reason, setReason] = useState('');
  const [staged, setStaged] = useState(false);
  const [waves, setWaves] = useState('1, 10, 100');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean; rollout?: string }>();
  const id = props.id;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (reason.trim() === '') {
      setMessage({ text: 'Give a reason: it goes to the audit log.', error: true });
      return;
    }
    const body = { action: kind, reason: reason.trim(), target: props.target };
    setBusy(true);
    setMessage(undefined);
    try {
      if (staged && props.many) {
        const parsed = parseWaves(waves);
        if (!parsed) throw new Error('waves: cumulative percentages such as 1, 10, 100');
        const rollout = await api.post<RolloutRecord>('/rollouts', { ...body, waves: parsed });
        setMessage({
          text: `Rollout started over ${count(rollout.total)} routers in ${rollout.waves.length} waves.`,
          error: false,
          rollout: rollout.id,
        });
        props.onDone({ rollout });
      } else {
        const result = await api.post<ActionResult>('/actions', body);
        const failed = result.outcomes.filter((o) => !o.ok && !o.pending);
        setMessage({
          text:
            `${kind}: ${count(result.published)} published, ${count(result.pending)} pending ` +
            `(router offline), ${count(result.failed)} failed of ${count(result.requested)}.` +
            (failed.length
              ? ' ' +
                failed
                  .slice(0, 5)
                  .map((o) => `${o.routerId}: ${o.error ?? 'failed'}`)
                  .join('; ')
              : ''),
          error: result.failed > 0,
        });
        props.onDone({ result });
      }
      setReason('');
    } catch (e) {
      setMessage({ text: errorText(e), error: true });
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="action-form" onSubmit=${submit} aria-labelledby="${id}-title">
    <h2 id="${id}-title">Act on ${props.targetText}</h2>
    <div class="toolbar">
      <label
        >Action
        <select
          id="${id}-kind"
          value=${kind}
          onChange=${(e: Event) => setKind((e.currentTarget as HTMLSelectElement).value as ActionKind)}
        >
          ${KINDS.map((k) => html`<option value=${k.kind}>${k.label}</option>`)}
        </select>
      </label>
      <label class="grow"
        >Reason (required, kept in the audit log)
        <input
          id="${id}-reason"
          required
          maxlength="500"
          size="48"
          value=${reason}
          onInput=${(e: Event) => setReason((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      ${
        props.many &&
        html`<label class="check"
            ><input
              type="checkbox"
              checked=${staged}
              onChange=${(e: Event) => setStaged((e.currentTarget as HTMLInputElement).checked)}
            />
            As a staged rollout</label
          >
          ${
            staged &&
            html`<label
              >Waves (cumulative %)
              <input
                value=${waves}
                size="12"
                onInput=${(e: Event) => setWaves((e.currentTarget as HTMLInputElement).value)}
              />
            </label>`
          }`
      }
      <button type="submit" class=${kind === 'disable' ? 'danger' : 'primary'} disabled=${busy}>
        ${staged && props.many ? 'Start rollout' : 'Send now'}
      </button>
    </div>
    <p role="status" class=${message?.error ? 'error' : 'notice'} data-testid="${id}-message">
      ${message?.text}
      ${
        message?.rollout &&
        html` <${Link} href=${`/rollouts/${encodeURIComponent(message.rollout)}`}
          >Follow the rollout<//
        >`
      }
    </p>
  </form>`;
}
