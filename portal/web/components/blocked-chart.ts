// Blocked attempts per hour as a uPlot chart, with the window picker (24 h / 7 d / 30 d) and a
// one-line text summary (total, peak hour) so the chart is not the only way to read it.
import uPlot from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { HourBucket, Items } from '../api-types.ts';
import { count, time } from '../format-values.ts';
import { html } from '../html.ts';
import { useApi } from '../use-api.ts';

export const WINDOWS = [
  { hours: 24, label: '24 h' },
  { hours: 24 * 7, label: '7 d' },
  { hours: 24 * 30, label: '30 d' },
] as const;

function Plot(props: { buckets: readonly HourBucket[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = props.buckets.map((b) => new Date(b.hour).getTime() / 1000);
    const ys = props.buckets.map((b) => b.blocked);
    const width = () => Math.max(300, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        legend: { show: false },
        scales: { x: { time: true } },
        axes: [{}, { size: 60 }],
        series: [
          {},
          {
            label: 'blocked',
            stroke: '#0a58ca',
            fill: 'rgba(10,88,202,0.15)',
            width: 1.5,
            points: { show: ys.length <= 48 },
          },
        ],
      },
      [xs, ys],
      el,
    );
    const resize = () => plot.setSize({ width: width(), height: 220 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [props.buckets]);
  return html`<div ref=${box} class="chart" aria-hidden="true"></div>`;
}

/** `path` is the API path without the hours parameter, e.g. `/blocked` or `/routers/x/blocked`. */
export function BlockedChart(props: { path: string; title: string; id: string }) {
  const [hours, setHours] = useState<number>(24);
  const history = useApi<Items<HourBucket>>(`${props.path}?hours=${hours}`);
  const buckets = history.data?.items ?? [];
  const total = buckets.reduce((a, b) => a + b.blocked, 0);
  const peak = buckets.reduce<HourBucket | null>(
    (best, b) => (best === null || b.blocked > best.blocked ? b : best),
    null,
  );
  // Built as one string: htm drops whitespace at line breaks inside templates.
  const label = WINDOWS.find((w) => w.hours === hours)?.label ?? `${hours} h`;
  const summaryText =
    `${count(total)} blocked attempts in the last ${label}` +
    (peak && peak.blocked > 0
      ? `; peak ${count(peak.blocked)} in the hour from ${time(peak.hour)}.`
      : '.');
  return html`<section aria-labelledby=${props.id}>
    <h2 id=${props.id}>${props.title}</h2>
    <div class="actions" role="group" aria-label="Time window">
      ${WINDOWS.map(
        (w) =>
          html`<button
            type="button"
            aria-pressed=${hours === w.hours ? 'true' : 'false'}
            class=${hours === w.hours ? 'primary' : ''}
            onClick=${() => setHours(w.hours)}
          >
            ${w.label}
          </button>`,
      )}
    </div>
    ${history.error && html`<p class="error" role="alert">${history.error}</p>`}
    <p data-testid="${props.id}-summary">${history.data ? summaryText : 'Loading…'}</p>
    ${history.data && html`<${Plot} buckets=${buckets} />`}
  </section>`;
}
