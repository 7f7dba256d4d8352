// The small, fast part of the chaos suite that runs inside `npm test`
// (test/integration-mqtt/chaos-regression.test.ts): each scenario at a small count, and the
// checks (case names, as `npm run chaos` prints them after CHECK) that must pass.
// To make a case a regression test, add its name to `checks`.
import type { ChaosOptions, ScenarioName } from './options.ts';

export interface RegressionRun {
  readonly scenario: ScenarioName;
  readonly count: number;
  readonly options?: Partial<ChaosOptions>;
  readonly checks: readonly string[];
}

export const REGRESSION: readonly RegressionRun[] = [
  { scenario: 'flush', count: 4, checks: ['flush.all_restored'] },
  {
    scenario: 'kill',
    count: 6,
    checks: ['kill.old_or_new_policy', 'kill.state_file_parses', 'kill.converges_after_restart'],
  },
  {
    scenario: 'broker-restarts',
    count: 5,
    checks: [
      'broker-restarts.no_lost_changes',
      'broker-restarts.final_kernel_is_last_acknowledged',
    ],
  },
  {
    scenario: 'fuzz',
    count: 200,
    checks: [
      'fuzz.no_crash',
      'fuzz.kernel_unchanged',
      'fuzz.hostile.size_16384',
      'fuzz.hostile.size_16385',
      'fuzz.hostile.cmd_16385',
      'fuzz.hostile.allow_257',
      'fuzz.hostile.stale_allow_256',
    ],
  },
];
