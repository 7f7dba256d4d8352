// What the kernel holds: ruleset snapshots compared without what traffic changes.
import * as assert from 'uvu/assert';
import type { RulesetSnapshot } from '../testbed/index.ts';

/**
 * The ruleset without what traffic changes: the values of nft's named counter objects and the
 * elements of the dynamic per-source sets (the test bed's snapshot keeps both).
 */
export function normalizeNft(text: string): string {
  const out: string[] = [];
  let inSourceSet = false;
  let inElements = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (/^set sources_/.test(trimmed)) inSourceSet = true;
    else if (inSourceSet && trimmed === '}' && !inElements) inSourceSet = false;
    if (inSourceSet && trimmed.startsWith('elements = {')) inElements = true;
    if (inElements) {
      if (trimmed.endsWith('}')) inElements = false;
      continue;
    }
    if (/^packets \d+ bytes \d+$/.test(trimmed)) continue;
    out.push(line);
  }
  return out.join('\n');
}

export function comparable(snapshot: RulesetSnapshot): RulesetSnapshot {
  return { ...snapshot, nft: normalizeNft(snapshot.nft) };
}

export function expectSameRuleset(want: RulesetSnapshot, have: RulesetSnapshot, what: string) {
  const a = comparable(want);
  const b = comparable(have);
  const keys = Object.keys(a) as (keyof RulesetSnapshot)[];
  const diff = keys
    .filter((k) => a[k] !== b[k])
    .map((k) => `--- ${k} before:\n${a[k]}\n--- ${k} after:\n${b[k]}`)
    .join('\n');
  assert.ok(diff === '', `${what}: ruleset changed\n${diff}`);
}

/** The agent's own table (nftables) or chains (iptables) are in the kernel. */
export function agentRulesPresent(snapshot: RulesetSnapshot): boolean {
  return /table inet op25b/.test(snapshot.nft) || /OP25B/.test(snapshot['iptables-legacy']);
}
