// nft script text for a ruleset. The script first creates then deletes the table, then builds
// it anew, all in one file: `nft -f` runs a file as one transaction, so the kernel switches from
// the whole old table to the whole new one, or (on any error) keeps the old one untouched.
import { FAMILY, SOURCES_SIZE, SOURCES_TIMEOUT_S, TABLE } from './names.ts';
import type { NftChain, NftRuleset, NftSet } from './ruleset.ts';

const CLEAR_TABLE = `table ${FAMILY} ${TABLE} { }\ndelete table ${FAMILY} ${TABLE}\n`;

function priorityText(priority: number): string {
  if (priority === 0) return 'filter';
  return `filter ${priority < 0 ? '-' : '+'} ${Math.abs(priority)}`;
}

function renderSet(set: NftSet): string {
  const lines = [`\tset ${set.name} {`, `\t\ttype ${set.type}`];
  if (set.elements === 'dynamic') {
    lines.push(
      `\t\tsize ${SOURCES_SIZE}`,
      '\t\tflags dynamic,timeout',
      '\t\tcounter',
      `\t\ttimeout ${SOURCES_TIMEOUT_S}s`,
    );
  } else {
    if (set.type === 'ipv4_addr' || set.type === 'ipv6_addr') lines.push('\t\tflags interval');
    const quote = set.type === 'ifname' ? (e: string) => `"${e}"` : (e: string) => e;
    if (set.elements.length) lines.push(`\t\telements = { ${set.elements.map(quote).join(', ')} }`);
  }
  lines.push('\t}');
  return lines.join('\n');
}

function renderChain(chain: NftChain): string {
  const lines = [`\tchain ${chain.name} {`];
  if (chain.base) {
    const { type, hook, priority, policy } = chain.base;
    lines.push(
      `\t\ttype ${type} hook ${hook} priority ${priorityText(priority)}; policy ${policy};`,
    );
  }
  for (const rule of chain.rules) lines.push(`\t\t${rule}`);
  lines.push('\t}');
  return lines.join('\n');
}

/** The script that makes the kernel hold exactly `ruleset` (or no table, for null). */
export function renderScript(ruleset: NftRuleset | null): string {
  if (!ruleset) return CLEAR_TABLE;
  const body = [
    ...ruleset.counters.map((name) => `\tcounter ${name} {\n\t}`),
    ...ruleset.sets.map(renderSet),
    ...ruleset.chains.map(renderChain),
  ];
  return `${CLEAR_TABLE}table ${FAMILY} ${TABLE} {\n${body.join('\n\n')}\n}\n`;
}

/** The script that removes the table if it exists and does nothing otherwise. */
export const REMOVE_SCRIPT = CLEAR_TABLE;
