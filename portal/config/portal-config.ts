// The portal service's configuration: one typed value read from an optional JSON file
// (`PORTAL_CONFIG` or `--config FILE`) and environment variables, env winning over the file.
// Every option is one row of PORTAL_OPTIONS, so parsing, errors and docs/portal.md stay in step.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';
import { PORTAL_OPTIONS } from './portal-options.ts';

export { PORTAL_OPTIONS };

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
