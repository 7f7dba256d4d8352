// The chaos runner's flags: which scenarios, how many of each, how long at most.
//   --only fuzz,flush     scenarios to run (default: all, in SCENARIO_NAMES order)
//   --count N             the main count of each selected scenario (payloads, restarts, ...)
//   --minutes M           partition length (default 3)
//   --phase-seconds S     length of each misbehaving-broker phase (default 30)
//   --modes a,b           misbehaving-broker modes to play (default: all)
//   --time-limit S        whole run (default 3000); each scenario also stops at its own bound
//   --seed N              the fuzzer's seed (default: the time)

export const SCENARIO_NAMES = [
  'fuzz',
  'bad-broker',
  'broker-restarts',
  'flush',
  'kill',
  'partition',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ChaosOptions {
  readonly only: readonly ScenarioName[];
  /** Overrides every scenario's default count. */
  readonly count: number | null;
  readonly partitionMinutes: number;
  readonly phaseSeconds: number;
  /** Misbehaving-broker modes (empty: all). */
  readonly modes: readonly string[];
  readonly timeLimitS: number;
  readonly seed: number;
}

export const DEFAULTS: ChaosOptions = {
  only: SCENARIO_NAMES,
  count: null,
  partitionMinutes: 3,
  phaseSeconds: 30,
  modes: [],
  timeLimitS: 3000,
  seed: 0,
};

function positive(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value <= 0)
    throw new Error(`${flag} needs a positive number, got ${JSON.stringify(text)}`);
  return value;
}

export function parseOptions(argv: readonly string[], now = Date.now()): ChaosOptions {
  let options: ChaosOptions = { ...DEFAULTS, seed: now % 2 ** 31 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    i++;
    switch (flag) {
      case '--only': {
        const names = (value ?? '').split(',').filter(Boolean);
        const bad = names.filter((n) => !(SCENARIO_NAMES as readonly string[]).includes(n));
        if (names.length === 0 || bad.length)
          throw new Error(`--only takes ${SCENARIO_NAMES.join(',')}; got ${value}`);
        options = { ...options, only: names as ScenarioName[] };
        break;
      }
      case '--count':
        options = { ...options, count: Math.floor(positive(flag, value)) };
        break;
      case '--minutes':
        options = { ...options, partitionMinutes: positive(flag, value) };
        break;
      case '--phase-seconds':
        options = { ...options, phaseSeconds: positive(flag, value) };
        break;
      case '--modes':
        options = { ...options, modes: (value ?? '').split(',').filter(Boolean) };
        break;
      case '--time-limit':
        options = { ...options, timeLimitS: positive(flag, value) };
        break;
      case '--seed':
        options = { ...options, seed: Math.floor(positive(flag, value)) };
        break;
      default:
        throw new Error(`unknown flag ${flag}`);
    }
  }
  return options;
}
