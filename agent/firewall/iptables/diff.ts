// Compares one family's filter table with the desired rules and names each difference.
import type { Family } from '../../policy/address.ts';
import type { Drift } from '../backend.ts';
import { ruleDrift } from '../rule-drift.ts';
import { CHAIN_BLOCK, CHAIN_ENTRY, HOOK_CHAINS } from './names.ts';
import type { IptablesRules } from './rules.ts';
import { rulesOf, type SavedFilterTable } from './save-output.ts';

const OWN_CHAINS = [CHAIN_ENTRY, CHAIN_BLOCK];

/** Every rule outside the agent's chains that jumps or goes to one of them. */
export function referencesToOwnChains(table: SavedFilterTable): string[] {
  const target = new RegExp(` -[jg] (${OWN_CHAINS.join('|')})( |$)`);
  return table.rules
    .filter((r) => !OWN_CHAINS.includes(r.chain) && target.test(r.text))
    .map((r) => r.text);
}

export function diffFamily(
  family: Family,
  want: IptablesRules | null,
  have: SavedFilterTable,
): Drift[] {
  const label = family === 'ipv4' ? 'iptables' : 'ip6tables';
  if (!want) {
    const leftovers = OWN_CHAINS.filter((c) => have.chains.includes(c));
    const drift = leftovers.map((c) => `${label}: chain ${c} exists although the block is off`);
    if (referencesToOwnChains(have).length)
      drift.push(`${label}: a jump to ${CHAIN_ENTRY} remains`);
    return drift;
  }
  const drift: Drift[] = [];
  for (const [chain, rules] of want.chains) {
    if (!have.chains.includes(chain)) {
      drift.push(`${label}: chain ${chain} is missing`);
      continue;
    }
    const found = rulesOf(have, chain).map((r) => r.text);
    drift.push(...ruleDrift(`${label}: ${chain}`, rules, found));
  }
  for (const hook of HOOK_CHAINS) {
    const jump = want.jumps.get(hook)!;
    const rules = rulesOf(have, hook).map((r) => r.text);
    const jumps = rules.filter((r) => r === jump).length;
    if (jumps === 0) drift.push(`${label}: ${hook} does not jump to ${CHAIN_ENTRY}`);
    else if (rules[0] !== jump)
      drift.push(`${label}: ${hook} jumps to ${CHAIN_ENTRY}, but not first`);
    else if (jumps > 1) drift.push(`${label}: ${hook} jumps to ${CHAIN_ENTRY} ${jumps} times`);
  }
  return drift;
}
