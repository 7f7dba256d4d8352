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
    checks: [
      'kill.old_or_new_policy',
      'kill.state_file_parses',
      'kill.converges_after_restart',
      'kill.no_tmp_files_after_restart',
    ],
  },
  {
    scenario: 'bad-broker',
    count: 1,
    options: { modes: ['close_after_connack', 'failed_suback'], phaseSeconds: 8 },
    checks: [
      'bad-broker.close_after_connack.enforcement_unchanged',
      'bad-broker.close_after_connack.daemon_alive',
      'bad-broker.close_after_connack.no_storm',
      'bad-broker.failed_suback.enforcement_unchanged',
      'bad-broker.failed_suback.daemon_alive',
      'bad-broker.failed_suback.no_storm',
    ],
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
      'fuzz.all_answered',
      'fuzz.documented_codes',
      'fuzz.expected_codes',
      'fuzz.rss_back_near_idle',
      'fuzz.retained_oversize_refused',
      'fuzz.retained_oversize_stays_connected',
      'fuzz.hostile.size_16384',
      'fuzz.hostile.size_16385',
      'fuzz.hostile.cmd_16385',
      'fuzz.hostile.ff_70000',
      'fuzz.hostile.nested_150',
      'fuzz.hostile.toString',
      'fuzz.hostile.allow_257',
      'fuzz.hostile.stale_allow_256',
      'fuzz.hostile.version_3_dot',
      'fuzz.hostile.escaped_verify',
      'fuzz.hostile.minus_01',
    ],
  },
];

/**
 * Cases that fail on the current code, to move into the `checks` of a run above once fixed.
 * Empty: every case of issue 11 §1-§5 passes since the fixes were merged; the broker-restart
 * hang (a reply's publish that never settled once its connection dropped) is fixed too.
 */
export const PENDING_FIXES: Readonly<Partial<Record<ScenarioName, readonly string[]>>> = {};
