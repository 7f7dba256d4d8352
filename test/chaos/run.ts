// `npm run chaos`: the chaos suite of issue 11 §6. Drives the daemon under dist/qjs in the
// namespace test bed, prints one figure a line on stdout (progress on stderr), and exits 1 when
// any check failed. Bounded in time: every scenario stops at its own bound and the whole run at
// --time-limit; namespaces and processes are removed by pid whatever happens (test bed cleanup).
import { checkAgentBuilt } from '../testbed/index.ts';
import { parseOptions, type ScenarioName } from './options.ts';
import { Report } from './report.ts';
import { SCENARIOS } from './scenarios/index.ts';

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  checkAgentBuilt();
  const report = new Report();
  const runDeadline = performance.now() + options.timeLimitS * 1000;
  const started = performance.now();
  const progress = (line: string): void => void process.stderr.write(`  ${line}\n`);
  const skipped: ScenarioName[] = [];
  for (const name of options.only) {
    const { run, count, boundS } = SCENARIOS[name];
    const left = runDeadline - performance.now();
    if (left < 30_000) {
      skipped.push(name);
      continue;
    }
    const scenarioStarted = performance.now();
    process.stderr.write(`chaos: ${name}\n`);
    try {
      await run({
        report,
        options,
        count: options.count ?? count,
        deadline: scenarioStarted + Math.min(left, boundS(options) * 1000),
        progress,
      });
    } catch (error) {
      report.check(
        `${name}.completed`,
        false,
        error instanceof Error ? error.message.split('\n')[0]! : String(error),
      );
      progress(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    report.figure(`${name}.seconds`, (performance.now() - scenarioStarted) / 1000);
  }
  for (const name of skipped)
    report.check(`${name}.completed`, false, 'skipped: the run reached --time-limit');
  report.figure('chaos.seconds', (performance.now() - started) / 1000);
  const failed = report.failed();
  report.figure('chaos.checks', report.checks.length);
  report.figure('chaos.failed', failed.length);
  for (const f of failed) report.figure('chaos.failed_check', f.name);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
