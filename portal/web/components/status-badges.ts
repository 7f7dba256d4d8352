// A router's presence and enforcement as a word in a coloured frame: the word carries the
// meaning, the colour only helps.
import type { RouterSummary } from '../api-types.ts';
import { html } from '../html.ts';

export function PresenceBadge(props: { router: RouterSummary }) {
  const { online, notReporting } = props.router;
  if (online && notReporting) return html`<span class="badge warn">online, silent</span>`;
  return online
    ? html`<span class="badge ok">online</span>`
    : html`<span class="badge off">offline</span>`;
}

/** Enforcing, disabled, not applied, error, or unknown (no status yet). */
export function enforcementOf(r: RouterSummary): { text: string; tone: string } {
  if (r.enabled === null) return { text: 'no status', tone: 'off' };
  if (r.lastError) return { text: 'error', tone: 'bad' };
  if (!r.enabled) return { text: 'disabled', tone: 'warn' };
  if (r.applied === false) return { text: 'not applied', tone: 'bad' };
  if (r.drift.length > 0) return { text: 'drifted', tone: 'bad' };
  return { text: 'enforcing', tone: 'ok' };
}

export function EnforcementBadge(props: { router: RouterSummary }) {
  const { text, tone } = enforcementOf(props.router);
  return html`<span class="badge ${tone}" data-enforcement=${text}>${text}</span>`;
}

/** The status of a request sent to a router (an ActionStatus, or `sending`). */
export function RequestBadge(props: { status: string }) {
  const s = props.status;
  const tone =
    s === 'ok' ? 'ok' : s === 'error' || s === 'failed' || s === 'no reply' ? 'bad' : 'warn';
  return html`<span class="badge ${tone}" data-request-status=${s}>${s}</span>`;
}
