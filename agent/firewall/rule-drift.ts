// Rule lists compared position by position, the same way for both backends: the kernel's rules
// (as nft or iptables-save print them) against the desired ones, each difference in words.
import type { Drift } from './backend.ts';

/** At most this many rule differences are named per chain; the first ones say enough. */
export const MAX_RULE_DRIFTS = 5;

/** `${subject} rule N is missing / unexpected / "x", expected "y"`, up to `limit` of them. */
export function ruleDrift(
  subject: string,
  want: readonly string[],
  have: readonly string[],
  limit = MAX_RULE_DRIFTS,
): Drift[] {
  const drift: Drift[] = [];
  const count = Math.max(want.length, have.length);
  for (let i = 0; i < count && drift.length < limit; i++) {
    const w = want[i];
    const h = have[i];
    if (w === h) continue;
    if (h === undefined) drift.push(`${subject} rule ${i + 1} is missing: "${w}"`);
    else if (w === undefined) drift.push(`${subject} rule ${i + 1} is unexpected: "${h}"`);
    else drift.push(`${subject} rule ${i + 1} is "${h}", expected "${w}"`);
  }
  return drift;
}
