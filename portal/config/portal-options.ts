// Every option of the portal's configuration, one row each: file key, env var, default, what it
// means and how its value is parsed. portal-config.ts builds PortalConfig from these rows, and
// docs/portal.md's table lists the same (a unit test checks it).
import { ConfigError } from './config-error.ts';
import {
  parseInteger,
  parseListen,
  parseMqttUrl,
  parseTopicPrefix,
  text,
} from './option-parsers.ts';

export interface OptionSpec {
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
