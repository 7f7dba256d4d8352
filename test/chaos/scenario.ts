// What every scenario gets: the report, the options, its count and its time bound.
import type { ChaosOptions } from './options.ts';
import type { Report } from './report.ts';

export interface ScenarioContext {
  readonly report: Report;
  readonly options: ChaosOptions;
  /** The scenario's main count (payloads, restarts, flushes, kills). */
  readonly count: number;
  /** performance.now() value after which the scenario stops early and says so. */
  readonly deadline: number;
  /** Progress for people, on stderr (the figures go to stdout). */
  readonly progress: (line: string) => void;
}

export type Scenario = (context: ScenarioContext) => Promise<void>;

/** Time left before the deadline, in ms (0 when past). */
export function timeLeft(context: ScenarioContext): number {
  return Math.max(0, context.deadline - performance.now());
}
