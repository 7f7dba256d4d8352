// The command line of `npm run fleet-sim`, parsed into typed options before anything starts.
import { DEFAULT_TOPIC_PREFIX } from '../contract/topics.ts';
import { defaultCounts, type ProfileCounts } from './profiles.ts';

export const USAGE = `usage: npm run fleet-sim -- --routers N --url mqtt://HOST:PORT [options]
  --interval S        seconds between status reports of each router (default 300)
  --prefix P          topic prefix (default ${DEFAULT_TOPIC_PREFIX})
  --verify-key FILE   Ed25519 public key (PEM or JWK): accept only signed desired states and
                      commands; without it the routers take unsigned JSON only
  --infected K        routers with an infected LAN host (default 3 % of N)
  --static K          static-IP business customers, block off (default 5 %)
  --flaky K           routers whose link drops and comes back (default 2 %)
  --errors K          routers whose firewall reports an error (default 1)
  --seed X            seed for profiles and timing (default 1)
  --duration S        stop after S seconds (default: run until Ctrl-C)
  --ramp S            spread the first connections over S seconds (default N/500, at least 1)
  --max-connecting K  CONNECTs in flight at once (default 200)
  --protocol 5|3.1.1  MQTT version (default 5)
  --stats S           print a progress line every S seconds (default 10, 0: never)
`;

export interface SimArgs {
  readonly routers: number;
  readonly url: string;
  readonly intervalS: number;
  readonly prefix: string;
  readonly verifyKeyFile: string | null;
  readonly counts: ProfileCounts;
  readonly seed: number;
  readonly durationS: number | null;
  readonly rampS: number;
  readonly maxConnecting: number;
  readonly protocolVersion: 4 | 5;
  readonly statsS: number;
}

export class UsageError extends Error {}

const FLAGS = [
  'routers', 'url', 'interval', 'prefix', 'verify-key', 'infected', 'static', 'flaky', 'errors',
  'seed', 'duration', 'ramp', 'max-connecting', 'protocol', 'stats',
]; // prettier-ignore

function count(values: Map<string, string>, flag: string, min: number, fallback?: number): number {
  const text = values.get(flag);
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value) || value < min)
    throw new UsageError(
      `--${flag} must be a number of at least ${min}, got ${JSON.stringify(text)}`,
    );
  return value;
}

function integer(
  values: Map<string, string>,
  flag: string,
  min: number,
  fallback?: number,
): number {
  const value = count(values, flag, min, fallback);
  if (!Number.isSafeInteger(value)) throw new UsageError(`--${flag} must be an integer`);
  return value;
}

export function parseSimArgs(argv: readonly string[]): SimArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (!flag.startsWith('--') || !FLAGS.includes(flag.slice(2)))
      throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (values.has(flag.slice(2))) throw new UsageError(`${flag} given twice`);
    values.set(flag.slice(2), value);
  }
  const routers = integer(values, 'routers', 1);
  const url = values.get('url');
  if (!url) throw new UsageError('--url is required');
  if (!/^mqtts?:\/\/[^/\s]+\/?$/.test(url))
    throw new UsageError(
      `--url must be mqtt://host:port or mqtts://host:port, got ${JSON.stringify(url)}`,
    );
  const prefix = values.get('prefix') ?? DEFAULT_TOPIC_PREFIX;
  if (prefix === '' || /[+#\0]/.test(prefix) || prefix.endsWith('/'))
    throw new UsageError(`--prefix must be a topic without wildcards or a trailing /`);
  const protocol = values.get('protocol') ?? '5';
  if (protocol !== '5' && protocol !== '3.1.1')
    throw new UsageError(`--protocol must be 5 or 3.1.1, got ${JSON.stringify(protocol)}`);
  const defaults = defaultCounts(routers);
  const duration = values.get('duration');
  return {
    routers,
    url,
    intervalS: count(values, 'interval', 1, 300),
    prefix,
    verifyKeyFile: values.get('verify-key') ?? null,
    counts: {
      infected: integer(values, 'infected', 0, defaults.infected),
      static: integer(values, 'static', 0, defaults.static),
      flaky: integer(values, 'flaky', 0, defaults.flaky),
      errors: integer(values, 'errors', 0, defaults.errors),
    },
    seed: integer(values, 'seed', 0, 1),
    durationS: duration === undefined ? null : count(values, 'duration', 1),
    rampS: count(values, 'ramp', 0, Math.max(1, routers / 500)),
    maxConnecting: integer(values, 'max-connecting', 1, 200),
    protocolVersion: protocol === '5' ? 5 : 4,
    statsS: count(values, 'stats', 0, 10),
  };
}
