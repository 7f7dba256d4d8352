// A tiny line of blocked attempts per hour for one table row: inline SVG, no chart library
// (a page of 50 rows must stay cheap). The label says the numbers for screen readers.
import { html } from '../html.ts';

const W = 96;
const H = 20;

export function Sparkline(props: { values: readonly number[] | undefined; label: string }) {
  const values = props.values;
  if (!values || values.length === 0) return html`<span class="muted">—</span>`;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? W / (values.length - 1) : 0;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(H - 1 - (v / max) * (H - 2)).toFixed(1)}`)
    .join(' ');
  const total = values.reduce((a, b) => a + b, 0);
  return html`<svg
    class="sparkline"
    width=${W}
    height=${H}
    viewBox="0 0 ${W} ${H}"
    role="img"
    aria-label="${props.label}: ${total} in ${values.length} h, peak ${Math.max(...values)} per hour"
  >
    <polyline points=${points} />
  </svg>`;
}
