// The fuzz scenario's figures and checks, from its tally: counts, codes, latency percentiles and
// the reply of each hostile case against the one it must get.
import { hostileCases } from './hostile-payloads.ts';
import { percentile } from './report.ts';
import type { ScenarioContext } from './scenario.ts';
import type { Tally } from './fuzz-tally.ts';

export function reportTally(context: ScenarioContext, tally: Tally, expectedOnly: boolean): void {
  const { report } = context;
  report.figure('fuzz.payloads', tally.sent);
  report.figure('fuzz.unanswered', tally.unanswered);
  report.figure('fuzz.unattributed', tally.unattributed);
  report.figure('fuzz.markers_lost', tally.markerLost);
  report.figure('fuzz.internal', tally.internal);
  report.figure('fuzz.undocumented_codes', tally.undocumented);
  report.figure('fuzz.unexpected_codes', tally.unexpected);
  report.figure('fuzz.misaligned_replies', tally.misaligned);
  report.figure('fuzz.kernel_changed_batches', tally.kernelChanged);
  report.figure('fuzz.ms_per_message_p50', percentile(tally.ms, 50));
  report.figure('fuzz.ms_per_message_p99', percentile(tally.ms, 99));
  for (const [code, n] of [...tally.codes].sort((a, b) => b[1] - a[1]))
    report.figure(`fuzz.code.${code}`, n);
  for (const [key, n] of [...tally.unexpectedBy].sort((a, b) => b[1] - a[1]))
    report.figure(`fuzz.unexpected.${key}`, n);
  for (const e of tally.examples) report.figure('fuzz.example', e);
  report.check('fuzz.no_crash', !tally.crashed);
  report.check(
    'fuzz.kernel_unchanged',
    tally.kernelChanged === 0,
    `${tally.kernelChanged} batches changed the ruleset`,
  );
  if (expectedOnly) return;
  report.check(
    'fuzz.all_answered',
    tally.unanswered === 0,
    `${tally.unanswered} of ${tally.sent} unanswered`,
  );
  report.check(
    'fuzz.documented_codes',
    tally.internal + tally.undocumented === 0,
    `${tally.internal} internal, ${tally.undocumented} undocumented`,
  );
  report.check(
    'fuzz.expected_codes',
    tally.unexpected === 0,
    `${tally.unexpected} with another code than the mutation's`,
  );
  for (const [family, code] of tally.hostile) {
    const want = hostileCases('x').find((c) => c.family === family)?.expect ?? [];
    report.check(`fuzz.${family}`, want.includes(code), `reply ${code}, want ${want.join('|')}`);
  }
}
