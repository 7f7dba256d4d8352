// The portal service's configuration: one typed value read from an optional JSON file
// (`PORTAL_CONFIG` or `--config FILE`) and environment variables, env winning over the file.
// Every option is one row of PORTAL_OPTIONS, so parsing, errors and docs/portal.md stay in step.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';
import {
  parseInteger,
  parseListen,
  parseMqttUrl,
  parseTopicPrefix,
  text,
} from './option-parsers.ts';

export interface MqttConfig {
  /** mqtt://, mqtts://, ws:// or wss:// URL of the broker. */
  readonly url: string;
  /** PEM file names for TLS (CA to trust; client certificate and key). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly username?: string;
  readonly password?: string;
  /** Subscribe as `$share/<group>/...` so several portal instances split the load. */
  readonly shareGroup?: string;
  /** MQTT client id prefix (a random suffix keeps instances apart). */
  readonly clientId: string;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface PortalConfig {
  readonly mqtt: MqttConfig;
  readonly topicPrefix: string;
  /** postgres://... ; unset means PGlite in dataDir. */
  readonly databaseUrl?: string;
  /** PGlite's data directory. */
  readonly dataDir: string;
  readonly listen: ListenAddress;
  /** Ed25519 private key file (PKCS#8 PEM, mode 0600). */
  readonly signingKeyFile?: string;
  /** `kid` put in signed desired states' headers, when set. */
  readonly signingKeyId?: string;
  /** How long to wait for a router's reply before recording "no reply". */
  readonly replyTimeoutMs: number;
  /** The routers' status report interval; "not reporting" means silent for twice this. */
  readonly reportIntervalS: number;
  /** Lifetime (`exp` - `iat`) of a signed desired state. */
  readonly desiredTtlS: number;
  /** Retained desired states are re-signed this long before their `exp`. */
  readonly resignBeforeS: number;
  /** Larger MQTT payloads are counted as invalid and dropped unparsed. */
  readonly maxPayloadBytes: number;
  /** Idle lifetime of a login session. */
  readonly sessionTtlS: number;
  /** Failed logins allowed per user name and per client address within loginWindowS. */
  readonly loginMaxFailures: number;
  readonly loginWindowS: number;
  /**
   * Origins (scheme://host:port) a browser form may post from, besides the service's own
   * Host. Needed behind a reverse proxy that rewrites Host.
   */
  readonly allowedOrigins: readonly string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

interface OptionSpec {
  /** Dotted path in the JSON file, e.g. `mqtt.url`. */
  readonly key: string;
  readonly env?: string;
  /** Default as written in the docs; undefined means unset. */
  readonly default?: string;
  readonly description: string;
  /** Turns a file value (any JSON) or an env string into the typed value. */
  readonly parse: (value: unknown, where: string) => unknown;
}

const seconds = (min: number, max: number) => (v: unknown, where: string) =>
  parseInteger(v, where, min, max);
const origins = (v: unknown, where: string): string[] => {
  const items = typeof v === 'string' ? v.split(',').filter((s) => s.trim() !== '') : v;
  if (!Array.isArray(items)) throw new ConfigError(`${where}: must be a list of origins`);
  return items.map((item, i) => {
    const origin = text(item, `${where}[${i}]`).trim();
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(`${where}[${i}]: ${JSON.stringify(origin)} is not an origin`);
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, ''))
      throw new ConfigError(
        `${where}[${i}]: ${JSON.stringify(origin)} is not an origin (scheme://host[:port])`,
      );
    return url.origin;
  });
};

export const PORTAL_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'mqtt.url',
    env: 'MQTT_URL',
    default: 'mqtt://127.0.0.1:1883',
    description: 'Broker URL (mqtt, mqtts, ws, wss).',
    parse: parseMqttUrl,
  },
  {
    key: 'mqtt.ca',
    env: 'MQTT_CA',
    description: 'CA certificate file (PEM) to trust for TLS.',
    parse: text,
  },
  {
    key: 'mqtt.cert',
    env: 'MQTT_CERT',
    description: 'Client certificate file (PEM) for TLS.',
    parse: text,
  },
  { key: 'mqtt.key', env: 'MQTT_KEY', description: 'Client key file (PEM) for TLS.', parse: text },
  { key: 'mqtt.username', env: 'MQTT_USERNAME', description: 'Broker user name.', parse: text },
  { key: 'mqtt.password', env: 'MQTT_PASSWORD', description: 'Broker password.', parse: text },
  {
    key: 'mqtt.shareGroup',
    env: 'MQTT_SHARE_GROUP',
    description:
      'Shared-subscription group: subscribe as `$share/<group>/...` so instances split the load.',
    parse: (v, w) => {
      const s = text(v, w);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(s))
        throw new ConfigError(`${w}: ${JSON.stringify(s)} must be 1..64 of A-Z a-z 0-9 _ . -`);
      return s;
    },
  },
  {
    key: 'mqtt.clientId',
    env: 'MQTT_CLIENT_ID',
    default: 'op25b-portal',
    description: 'Client id prefix (a random suffix is added per instance).',
    parse: text,
  },
  {
    key: 'topicPrefix',
    env: 'PORTAL_TOPIC_PREFIX',
    default: 'op25b/v1',
    description: 'Topic prefix the routers use.',
    parse: parseTopicPrefix,
  },
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    description: 'PostgreSQL URL (`postgres://...`); unset means PGlite in `dataDir`.',
    parse: (v, w) => {
      const s = text(v, w);
      if (!/^postgres(ql)?:\/\//.test(s))
        throw new ConfigError(`${w}: must start with postgres:// or postgresql://`);
      return s;
    },
  },
  {
    key: 'dataDir',
    env: 'PORTAL_DATA',
    default: 'data/portal',
    description: "PGlite's data directory (git-ignored by default).",
    parse: text,
  },
  {
    key: 'listen',
    env: 'PORTAL_LISTEN',
    default: '127.0.0.1:8080',
    description: 'HTTP listen address `host:port` (`[::1]:8080` for IPv6).',
    parse: parseListen,
  },
  {
    key: 'signingKeyFile',
    env: 'PORTAL_SIGNING_KEY',
    description:
      'Ed25519 private key file (PKCS#8 PEM, mode 0600). Without it no action can be sent.',
    parse: text,
  },
  {
    key: 'signingKeyId',
    env: 'PORTAL_SIGNING_KEY_ID',
    description: '`kid` header of signed desired states.',
    parse: text,
  },
  {
    key: 'replyTimeoutMs',
    env: 'PORTAL_REPLY_TIMEOUT_MS',
    default: '30000',
    description: 'Wait this long for a reply before recording "no reply".',
    parse: seconds(100, 3_600_000),
  },
  {
    key: 'reportIntervalS',
    env: 'PORTAL_REPORT_INTERVAL_S',
    default: '300',
    description: 'Routers\' report interval; silent for more than twice this is "not reporting".',
    parse: seconds(1, 86_400),
  },
  {
    key: 'desiredTtlS',
    env: 'PORTAL_DESIRED_TTL_S',
    default: '604800',
    description: 'Lifetime of a signed desired state (`exp` - `iat`).',
    parse: seconds(60, 31_536_000),
  },
  {
    key: 'resignBeforeS',
    env: 'PORTAL_RESIGN_BEFORE_S',
    default: '86400',
    description: 'Re-sign retained desired states this long before `exp`.',
    parse: seconds(10, 31_536_000),
  },
  {
    key: 'maxPayloadBytes',
    env: 'PORTAL_MAX_PAYLOAD_BYTES',
    default: '65536',
    description: 'Larger MQTT payloads are counted invalid and dropped.',
    parse: seconds(256, 16_777_216),
  },
  {
    key: 'sessionTtlS',
    env: 'PORTAL_SESSION_TTL_S',
    default: '43200',
    description: 'Idle lifetime of a login session.',
    parse: seconds(60, 2_592_000),
  },
  {
    key: 'loginMaxFailures',
    env: 'PORTAL_LOGIN_MAX_FAILURES',
    default: '5',
    description: 'Failed logins allowed per user name and per client address in a window.',
    parse: seconds(1, 1000),
  },
  {
    key: 'loginWindowS',
    env: 'PORTAL_LOGIN_WINDOW_S',
    default: '900',
    description: 'Window of the login rate limit.',
    parse: seconds(1, 86_400),
  },
  {
    key: 'allowedOrigins',
    env: 'PORTAL_ALLOWED_ORIGINS',
    default: '(none)',
    description:
      'Extra origins browser forms may post from (comma-separated), e.g. behind a reverse proxy.',
    parse: origins,
  },
];

/** Builds the config from a parsed JSON file (or undefined) and the environment. */
export function parsePortalConfig(file: unknown, env: Env, fileName = 'config file'): PortalConfig {
  if (file !== undefined && (file === null || typeof file !== 'object' || Array.isArray(file)))
    throw new ConfigError(`${fileName}: must hold a JSON object`);
  const fileValues = flatten((file ?? {}) as Record<string, unknown>, fileName);
  const values = new Map<string, unknown>();
  for (const option of PORTAL_OPTIONS) {
    const fromEnv = option.env === undefined ? undefined : env[option.env];
    if (fromEnv !== undefined && fromEnv !== '')
      values.set(option.key, option.parse(fromEnv, `${option.env}`));
    else if (fileValues.has(option.key))
      values.set(
        option.key,
        option.parse(fileValues.get(option.key), `${fileName}: ${option.key}`),
      );
    else if (option.default !== undefined && option.default !== '(none)')
      values.set(option.key, option.parse(option.default, `default of ${option.key}`));
  }
  const get = <T>(key: string): T => values.get(key) as T;
  const mqtt: MqttConfig = {
    url: get('mqtt.url'),
    clientId: get('mqtt.clientId'),
    ...optional('ca', get<string>('mqtt.ca')),
    ...optional('cert', get<string>('mqtt.cert')),
    ...optional('key', get<string>('mqtt.key')),
    ...optional('username', get<string>('mqtt.username')),
    ...optional('password', get<string>('mqtt.password')),
    ...optional('shareGroup', get<string>('mqtt.shareGroup')),
  };
  if ((mqtt.cert === undefined) !== (mqtt.key === undefined))
    throw new ConfigError('mqtt.cert and mqtt.key (MQTT_CERT, MQTT_KEY) go together');
  if (mqtt.password !== undefined && mqtt.username === undefined)
    throw new ConfigError('mqtt.password (MQTT_PASSWORD) needs mqtt.username (MQTT_USERNAME)');
  const config: PortalConfig = {
    mqtt,
    topicPrefix: get('topicPrefix'),
    ...optional('databaseUrl', get<string>('databaseUrl')),
    dataDir: get('dataDir'),
    listen: get('listen'),
    ...optional('signingKeyFile', get<string>('signingKeyFile')),
    ...optional('signingKeyId', get<string>('signingKeyId')),
    replyTimeoutMs: get('replyTimeoutMs'),
    reportIntervalS: get('reportIntervalS'),
    desiredTtlS: get('desiredTtlS'),
    resignBeforeS: get('resignBeforeS'),
    maxPayloadBytes: get('maxPayloadBytes'),
    sessionTtlS: get('sessionTtlS'),
    loginMaxFailures: get('loginMaxFailures'),
    loginWindowS: get('loginWindowS'),
    allowedOrigins: get<string[] | undefined>('allowedOrigins') ?? [],
  };
  if (config.resignBeforeS >= config.desiredTtlS)
    throw new ConfigError(
      `resignBeforeS (${config.resignBeforeS}) must be less than desiredTtlS (${config.desiredTtlS})`,
    );
  return config;
}

/**
 * Reads the file named by `--config FILE` in argv or by PORTAL_CONFIG (if any), then the
 * environment. Returns the config and the argv left over.
 */
export function loadPortalConfig(
  env: Env,
  argv: readonly string[] = [],
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { config: PortalConfig; rest: string[] } {
  let path = env.PORTAL_CONFIG || undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg === '--config' ? argv[++i] : arg.slice('--config='.length);
      if (!value) throw new ConfigError('--config needs a file name');
      path = value;
    } else rest.push(arg);
  }
  if (path === undefined) return { config: parsePortalConfig(undefined, env), rest };
  let source: string;
  try {
    source = readFile(path);
  } catch (e) {
    throw new ConfigError(
      `cannot read config file ${JSON.stringify(path)}: ${(e as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return { config: parsePortalConfig(json, env, path), rest };
}

const KNOWN_KEYS = new Set(PORTAL_OPTIONS.map((o) => o.key));
const GROUPS = new Set(
  PORTAL_OPTIONS.filter((o) => o.key.includes('.')).map((o) => o.key.split('.')[0]!),
);

/** `{mqtt: {url}}` -> `mqtt.url`; unknown keys are errors, so a typo never goes unnoticed. */
function flatten(file: Record<string, unknown>, fileName: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(file)) {
    if (GROUPS.has(key)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new ConfigError(`${fileName}: ${key} must be an object`);
      for (const [sub, subValue] of Object.entries(value)) {
        const full = `${key}.${sub}`;
        if (!KNOWN_KEYS.has(full)) throw new ConfigError(`${fileName}: unknown option ${full}`);
        out.set(full, subValue);
      }
    } else if (KNOWN_KEYS.has(key)) out.set(key, value);
    else throw new ConfigError(`${fileName}: unknown option ${key}`);
  }
  return out;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
