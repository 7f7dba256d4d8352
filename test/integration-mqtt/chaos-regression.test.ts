// The chaos suite's regression subset (test/chaos/regression.ts): the scenarios of
// `npm run chaos` at small counts, in the same namespace test bed, asserting the cases listed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../chaos/options.ts';
import { REGRESSION } from '../chaos/regression.ts';
import { Report } from '../chaos/report.ts';
import { SCENARIOS } from '../chaos/scenarios/index.ts';

const test = suite('chaos regression subset (test/chaos)');
const SCENARIO_BOUND_MS = 180_000;

for (const run of REGRESSION) {
  test(`${run.scenario} x${run.count}: ${run.checks.join(', ')}`, async () => {
    const lines: string[] = [];
    const report = new Report((line) => lines.push(line));
    await SCENARIOS[run.scenario].run({
      report,
      options: { ...DEFAULTS, seed: 11, ...run.options },
      count: run.count,
      deadline: performance.now() + SCENARIO_BOUND_MS,
      progress: () => {},
    });
    const problems = run.checks
      .map((name) => ({ name, result: report.result(name) }))
      .filter(({ result }) => !result?.ok)
      .map(({ name, result }) => `${name}: ${result ? `FAIL ${result.detail}` : 'not checked'}`);
    assert.ok(problems.length === 0, `${problems.join('\n')}\n--- figures:\n${lines.join('\n')}`);
  });
}

test.run();
