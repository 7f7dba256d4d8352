// Ruleset snapshots compared: the backend suite's proof that apply, remove and refusals leave
// exactly the ruleset they should.
import * as assert from 'uvu/assert';
import type { RulesetSnapshot } from '../testbed/index.ts';

function snapshotDiff(a: RulesetSnapshot, b: RulesetSnapshot): string {
  const keys = Object.keys(a) as (keyof RulesetSnapshot)[];
  return keys
    .filter((k) => a[k] !== b[k])
    .map((k) => `--- ${k} before:\n${a[k]}\n--- ${k} after:\n${b[k]}`)
    .join('\n');
}

export function expectSameRuleset(
  want: RulesetSnapshot,
  have: RulesetSnapshot,
  what: string,
): void {
  assert.ok(
    JSON.stringify(want) === JSON.stringify(have),
    `${what}: ruleset differs\n${snapshotDiff(want, have)}`,
  );
}
