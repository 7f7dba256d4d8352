// The simulated firewall's "ruleset": what the nftables or iptables backend would load, kept as
// plain data (one block rule per address family) so that it can be compared, tampered with and
// printed. Pure: no I/O.
import { formatPrefix, type Family } from '../../policy/address.ts';
import type { Policy } from '../../policy/policy.ts';
import type { Drift } from '../backend.ts';

export type SimulatedVerdict = 'drop' | 'reject' | 'accept';

export interface SimulatedRule {
  readonly family: Family;
  readonly ports: readonly number[];
  /** The ISP's relays of this family, canonical text. */
  readonly allow: readonly string[];
  /** Empty: every egress device but loopback, as on the real backends. */
  readonly wanDevices: readonly string[];
  readonly verdict: SimulatedVerdict;
}

/** One rule per blocked family; null when the block is off (no objects at all). */
export type SimulatedRuleset = readonly SimulatedRule[] | null;

export function simulatedRuleset(policy: Policy): SimulatedRuleset {
  if (!policy.enabled) return null;
  return policy.families.map((family) => ({
    family,
    ports: [...policy.ports],
    allow: policy.allow.filter((p) => p.family === family).map(formatPrefix),
    wanDevices: [...policy.wanDevices],
    verdict: policy.action,
  }));
}

const list = (values: readonly (string | number)[]): string =>
  values.length ? `{ ${values.join(', ')} }` : '{ }';

/** A readable listing, in the spirit of `nft list table`. */
export function renderSimulated(ruleset: SimulatedRuleset): string {
  const head = '# simulated firewall (op25b-agent under Node): nothing is loaded into a kernel\n';
  if (ruleset === null) return `${head}# block off: no rules\n`;
  return (
    head +
    ruleset
      .map(
        (r) =>
          `${r.family} oifname ${r.wanDevices.length ? list(r.wanDevices) : '!= lo'} tcp dport ${list(r.ports)} daddr != ${list(r.allow)} ${r.verdict}\n`,
      )
      .join('')
  );
}

const same = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** How `actual` differs from what `policy` needs, in the words the real backends use. */
export function simulatedDrift(actual: SimulatedRuleset, policy: Policy): Drift[] {
  const wanted = simulatedRuleset(policy);
  if (wanted === null)
    return actual === null ? [] : ['simulated table op25b exists although the block is off'];
  if (actual === null) return ['simulated table op25b is missing'];
  const drift: Drift[] = [];
  for (const want of wanted) {
    const have = actual.find((r) => r.family === want.family);
    if (!have) {
      drift.push(`${want.family} block rule is missing`);
      continue;
    }
    if (have.verdict !== want.verdict)
      drift.push(`${want.family} rule verdict is ${have.verdict}, expected ${want.verdict}`);
    if (!same(have.ports, want.ports))
      drift.push(`${want.family} rule ports ${list(have.ports)}, expected ${list(want.ports)}`);
    if (!same(have.allow, want.allow))
      drift.push(`${want.family} allow list ${list(have.allow)}, expected ${list(want.allow)}`);
    if (!same(have.wanDevices, want.wanDevices))
      drift.push(
        `${want.family} WAN devices ${list(have.wanDevices)}, expected ${list(want.wanDevices)}`,
      );
  }
  for (const extra of actual.filter((r) => !wanted.some((w) => w.family === r.family)))
    drift.push(`unexpected ${extra.family} block rule`);
  return drift;
}
