// Everything in a router's latest status and state, as label/value lists. Every value is text
// from the router: Preact writes it as text, never as markup.
import type { RouterDetail } from '../api-types.ts';
import { ago, count, time, yesNo } from '../format-values.ts';
import { html } from '../html.ts';

type Fact = readonly [string, unknown];

function Facts(props: { facts: readonly Fact[]; label: string }) {
  return html`<dl class="facts" aria-label=${props.label}>
    ${props.facts.map(
      ([name, value]) =>
        html`<dt>${name}</dt>
          <dd>${value === null || value === undefined || value === '' ? '—' : String(value)}</dd>`,
    )}
  </dl>`;
}

const list = (values: readonly unknown[] | undefined) =>
  values && values.length ? values.join(', ') : 'none';

export function DeviceFacts(props: { router: RouterDetail }) {
  const r = props.router;
  const agent = r.status?.agent;
  return html`<${Facts}
    label="Device"
    facts=${[
      ['Model', r.model],
      ['Board', r.board],
      ['Release', r.release],
      ['WAN protocol', r.wanProto],
      ['Agent version', r.agentVersion ?? agent?.version],
      ['Runtime', agent?.runtime],
      ['Daemon', agent ? yesNo(agent.daemon) : null],
    ]}
  />`;
}

export function PresenceFacts(props: { router: RouterDetail }) {
  const r = props.router;
  return html`<${Facts}
    label="Presence"
    facts=${[
      ['Online', yesNo(r.online)],
      ['Present run (boot id)', r.boot],
      [
        'State at',
        r.state ? `${time(r.state.at)} (${r.state.online ? 'online' : 'offline'})` : null,
      ],
      ['Agent started', time(r.status?.agent.started_at)],
      ['Boot of latest status', r.status?.agent.boot],
      ['First seen', time(r.firstSeen)],
      ['Last seen', `${time(r.lastSeen)} (${ago(r.lastSeen)})`],
      [
        'Latest status',
        r.lastStatusAt ? `${time(r.lastStatusAt)} (${ago(r.lastStatusAt)})` : 'none yet',
      ],
      ['Reporting', r.notReporting ? 'no: silent for more than two report intervals' : 'yes'],
    ]}
  />`;
}

export function PolicyFacts(props: { router: RouterDetail }) {
  const r = props.router;
  const p = r.status?.policy;
  const e = r.status?.enforcement;
  const c = r.status?.counters;
  return html`<${Facts}
    label="Policy and enforcement"
    facts=${[
      ['Policy enabled', yesNo(r.enabled)],
      ['Version in force', p?.version],
      ['Source', p?.source],
      ['Action', p?.action],
      ['Ports', p ? list(p.ports) : null],
      ['Allowed relays', p ? list(p.allow) : null],
      ['WAN devices', p ? list(p.wan_devices) : null],
      ['Families', p ? list(p.families) : null],
      ['Desired version (portal)', r.desiredVersion],
      ['Desired enabled (portal)', yesNo(r.desiredEnabled)],
      ['Rules applied', yesNo(r.applied)],
      ['Backend', e ? `${e.backend} (${e.backend_reason})` : r.backend],
      ['Verified at', time(e?.verified_at)],
      ['Drift', e ? list(e.drift) : null],
      ['Repairs', e?.repairs],
      [
        'Last repair',
        e?.last_repair ? `${time(e.last_repair.at)}: ${list(e.last_repair.drift)}` : 'none',
      ],
      ['Last error', r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : 'none'],
      ['Error at', r.status?.last_error ? time(r.status.last_error.at) : null],
      ['Blocked packets (since rules built)', c ? count(c.blocked_packets) : null],
      ['Blocked bytes', c ? count(c.blocked_bytes) : null],
      ['Blocked in 24 h', count(r.blocked)],
      ['Reported at (router clock)', time(r.status?.reported_at)],
    ]}
  />`;
}
