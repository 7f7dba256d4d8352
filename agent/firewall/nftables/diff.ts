// Compares the desired table with the one listed from the kernel and names each difference.
import type { Drift } from '../backend.ts';
import { MAX_RULE_DRIFTS, ruleDrift } from '../rule-drift.ts';
import { FAMILY, TABLE } from './names.ts';
import type { NftBaseChain, NftChain, NftRuleset, NftSet } from './ruleset.ts';

function baseText(base: NftBaseChain | null): string {
  return base
    ? `type ${base.type} hook ${base.hook} priority ${base.priority} policy ${base.policy}`
    : 'regular chain';
}

function diffSet(want: NftSet, have: NftSet | undefined): Drift[] {
  if (!have) return [`set ${want.name} is missing`];
  if (have.type !== want.type)
    return [`set ${want.name} has type ${have.type}, expected ${want.type}`];
  if (want.elements === 'dynamic' || have.elements === 'dynamic') return [];
  const haveElements = have.elements;
  const missing = want.elements.filter((e) => !haveElements.includes(e));
  const unexpected = haveElements.filter((e) => !want.elements.includes(e));
  const drift: Drift[] = [];
  if (missing.length) drift.push(`set ${want.name} lacks ${missing.join(', ')}`);
  if (unexpected.length) drift.push(`set ${want.name} has unexpected ${unexpected.join(', ')}`);
  return drift;
}

function diffChain(want: NftChain, have: NftChain | undefined): Drift[] {
  if (!have) return [`chain ${want.name} is missing`];
  const drift: Drift[] = [];
  if (baseText(want.base) !== baseText(have.base))
    drift.push(`chain ${want.name} is "${baseText(have.base)}", expected "${baseText(want.base)}"`);
  // The base chain's difference counts toward the limit, as one of the first few.
  drift.push(
    ...ruleDrift(`chain ${want.name}`, want.rules, have.rules, MAX_RULE_DRIFTS - drift.length),
  );
  return drift;
}

export function diffRulesets(want: NftRuleset | null, have: NftRuleset | null): Drift[] {
  const table = `table ${FAMILY} ${TABLE}`;
  if (!want) return have ? [`${table} exists although the block is disabled`] : [];
  if (!have) return [`${table} is missing`];
  const drift: Drift[] = [];
  for (const name of want.counters)
    if (!have.counters.includes(name)) drift.push(`counter ${name} is missing`);
  for (const set of want.sets)
    drift.push(
      ...diffSet(
        set,
        have.sets.find((s) => s.name === set.name),
      ),
    );
  for (const set of have.sets)
    if (!want.sets.some((s) => s.name === set.name)) drift.push(`set ${set.name} is unexpected`);
  for (const chain of want.chains)
    drift.push(
      ...diffChain(
        chain,
        have.chains.find((c) => c.name === chain.name),
      ),
    );
  for (const chain of have.chains)
    if (!want.chains.some((c) => c.name === chain.name))
      drift.push(`chain ${chain.name} is unexpected`);
  return drift;
}
