// iptables-restore input, always used with --noflush so that only the agent's chains and its
// jumps change. The kernel takes a restore file in one commit: the whole old filter table of
// that family or the whole new one.
import { CHAIN_BLOCK, CHAIN_ENTRY, HOOK_CHAINS } from './names.ts';
import type { IptablesRules } from './rules.ts';
import { referencesToOwnChains } from './diff.ts';
import { rulesOf, type SavedFilterTable } from './save-output.ts';

/** `-A CHAIN spec` -> `-D CHAIN spec`: deletes exactly the rule that was listed. */
function deletion(rule: string): string {
  return `-D${rule.slice(2)}`;
}

/** Declaring a chain with --noflush creates it, or empties it when it exists. */
const DECLARE_CHAINS = [`:${CHAIN_ENTRY} - [0:0]`, `:${CHAIN_BLOCK} - [0:0]`];

export function applyScript(want: IptablesRules, have: SavedFilterTable): string {
  const lines = ['*filter', ...DECLARE_CHAINS];
  for (const rules of want.chains.values()) lines.push(...rules);
  for (const hook of HOOK_CHAINS) {
    const jump = want.jumps.get(hook)!;
    const rules = rulesOf(have, hook).map((r) => r.text);
    const inPlace = rules[0] === jump && rules.filter((r) => r === jump).length === 1;
    if (inPlace) continue;
    // A -D of a rule that is not there fails the whole file, so delete only what was listed.
    for (const rule of rules.filter((r) => r === jump)) lines.push(deletion(rule));
    lines.push(`-I ${hook} 1 -j ${CHAIN_ENTRY}`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Removes the agent's chains and every rule that leads into them; null when none are there. */
export function removeScript(have: SavedFilterTable): string | null {
  const jumps = referencesToOwnChains(have);
  const chains = [CHAIN_ENTRY, CHAIN_BLOCK].filter((c) => have.chains.includes(c));
  if (jumps.length === 0 && chains.length === 0) return null;
  return [
    '*filter',
    ...jumps.map(deletion),
    ...chains.map((c) => `:${c} - [0:0]`),
    ...chains.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}
