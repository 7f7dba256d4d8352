// What the backend suite's steps share: the backend under test, the suite's test bed, the
// policy for it, and the baseline ruleset every test starts from (set in the suite's before).
import type { BackendSetting, PolicyConfig, RulesetSnapshot } from '../testbed/index.ts';
import type { BedHolder } from './support.ts';

export interface BackendContext {
  readonly setting: BackendSetting;
  readonly holder: BedHolder;
  readonly policy: (overrides?: PolicyConfig) => PolicyConfig;
  baseline: RulesetSnapshot | null;
}
