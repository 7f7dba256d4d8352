// Every scenario, its default count and its own time bound (seconds).
import type { ChaosOptions, ScenarioName } from '../options.ts';
import type { Scenario } from '../scenario.ts';
import { badBrokerScenario } from './bad-broker.ts';
import { brokerRestartScenario } from './broker-restarts.ts';
import { flushScenario } from './flush.ts';
import { fuzzScenario } from './fuzz.ts';
import { killScenario } from './kills.ts';
import { partitionScenario } from './partition.ts';

export interface ScenarioEntry {
  readonly run: Scenario;
  readonly count: number;
  readonly boundS: (options: ChaosOptions) => number;
}

export const SCENARIOS: Record<ScenarioName, ScenarioEntry> = {
  fuzz: { run: fuzzScenario, count: 10_000, boundS: () => 900 },
  'bad-broker': { run: badBrokerScenario, count: 1, boundS: (o) => o.phaseSeconds * 8 + 60 },
  'broker-restarts': { run: brokerRestartScenario, count: 1000, boundS: () => 1200 },
  flush: { run: flushScenario, count: 100, boundS: () => 300 },
  kill: { run: killScenario, count: 200, boundS: () => 600 },
  partition: { run: partitionScenario, count: 1, boundS: (o) => o.partitionMinutes * 60 + 120 },
};
