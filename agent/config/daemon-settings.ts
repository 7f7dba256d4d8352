// The `agent` and `mqtt` sections: what the daemon (`run`) needs beyond the policy.
import { InputError } from '../input-error.ts';
import { parseBrokerUrl } from '../mqtt/broker-url.ts';
import { DEVICE_NAME } from '../policy/parse-policy.ts';
import { DEFAULT_TOPIC_PREFIX } from '../../contract/topics.ts';
import { ABSOLUTE_PATH, SectionReader } from './section-reader.ts';
import { findSection, type UciPackage } from './uci-parse.ts';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
/**
 * Where the daemon's log lines go: stderr; procd (info and debug on stdout, warnings and errors on
 * stderr, which procd logs at priority info and err); or syslog through `logger`.
 */
export type LogTarget = 'stderr' | 'procd' | 'syslog';

export interface AgentSettings {
  /** Set in config, or null: derived from the router (device/device-id.ts). */
  readonly deviceId: string | null;
  /** The network device whose MAC address names the router when device_id is not set; null:
   * the label MAC, then eth0 (device/device-id.ts). */
  readonly deviceIdDevice: string | null;
  readonly verifyKeyFile: string | null;
  /** Without verify_key_file: obey plain JSON from the broker (insecure; off by default). */
  readonly allowUnsigned: boolean;
  /** Persistent (flash): the last desired state. Written only when it changes. */
  readonly stateDir: string;
  /** Runtime files (tmpfs): pid, live status. */
  readonly runDir: string;
  /** Seconds between status reports, besides the ones sent on change. */
  readonly reportIntervalS: number;
  /** Seconds between checks of the kernel rules; 0 picks by backend (30 nftables, 5 iptables). */
  readonly verifyIntervalS: number;
  /** Seconds between two looks at ubusd's socket (a stat), to notice a ubusd restart. */
  readonly ubusProbeIntervalS: number;
  /** ubusd's socket, or null: /var/run/ubus/ubus.sock, else /var/run/ubus.sock. */
  readonly ubusSocket: string | null;
  readonly logLevel: LogLevel;
  readonly logTarget: LogTarget;
}

export interface MqttSettings {
  readonly broker: string;
  readonly protocolVersion: 4 | 5;
  readonly username: string | null;
  readonly passwordFile: string | null;
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly keepaliveS: number;
  readonly topicPrefix: string;
  /** Reconnect backoff: full jitter between 0 and min(max, min * 2^attempt) seconds. */
  readonly reconnectMinS: number;
  readonly reconnectMaxS: number;
  /** The first connection waits a random 0..startup_delay seconds (herd of routers at boot). */
  readonly startupDelayS: number;
}

/** A router's device id (also its MQTT topic level); the ISP's tools check it the same way. */
export const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Topic levels without wildcards, no leading or trailing slash.
export const TOPIC_PREFIX = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const USERNAME = /^[\x21-\x7e]{1,128}$/;

export const AGENT_OPTIONS = [
  'device_id',
  'device_id_device',
  'verify_key_file',
  'allow_unsigned',
  'state_dir',
  'run_dir',
  'report_interval',
  'verify_interval',
  'ubus_probe_interval',
  'ubus_socket',
  'log_level',
  'log_target',
];
export const MQTT_OPTIONS = [
  'broker',
  'protocol',
  'username',
  'password_file',
  'ca_file',
  'cert_file',
  'key_file',
  'keepalive',
  'topic_prefix',
  'reconnect_min',
  'reconnect_max',
  'startup_delay',
];

export function agentSettingsFromUci(pkg: UciPackage): {
  settings: AgentSettings;
  warnings: string[];
} {
  const read = new SectionReader(findSection(pkg, 'agent', 'agent'), 'agent', AGENT_OPTIONS);
  const settings: AgentSettings = {
    deviceId: read.optionalString('device_id', DEVICE_ID),
    deviceIdDevice: read.optionalString('device_id_device', DEVICE_NAME),
    verifyKeyFile: read.optionalString('verify_key_file', ABSOLUTE_PATH),
    allowUnsigned: read.oneOf('allow_unsigned', ['0', '1'] as const) === '1',
    stateDir: read.string('state_dir', '/etc/op25b', ABSOLUTE_PATH),
    runDir: read.string('run_dir', '/var/run/op25b', ABSOLUTE_PATH),
    reportIntervalS: read.integer('report_interval', 300, 10, 86400),
    verifyIntervalS: read.integer('verify_interval', 0, 0, 3600),
    ubusProbeIntervalS: read.integer('ubus_probe_interval', 5, 2, 3600),
    ubusSocket: read.optionalString('ubus_socket', ABSOLUTE_PATH),
    logLevel: read.oneOf('log_level', ['info', 'error', 'warn', 'debug'] as const),
    logTarget: read.oneOf('log_target', ['stderr', 'procd', 'syslog'] as const),
  };
  const warnings = read.unknownOptions();
  if (settings.allowUnsigned && settings.verifyKeyFile)
    warnings.push(
      'agent.allow_unsigned is ignored: with verify_key_file only signed messages count',
    );
  return { settings, warnings };
}

/** The mqtt section, or null when there is no broker (the agent then enforces offline). */
export function mqttSettingsFromUci(pkg: UciPackage): {
  settings: MqttSettings | null;
  warnings: string[];
} {
  const section = findSection(pkg, 'mqtt', 'mqtt');
  const read = new SectionReader(section, 'mqtt', MQTT_OPTIONS);
  const broker = read.optionalString('broker');
  if (broker === null) return { settings: null, warnings: read.unknownOptions() };
  // Fail now, with the value named, not at the first connection.
  const url = parseBrokerUrl(broker);
  const protocol = read.oneOf('protocol', ['5', '3.1.1'] as const);
  const reconnectMinS = read.integer('reconnect_min', 1, 1, 3600);
  const settings: MqttSettings = {
    broker,
    protocolVersion: protocol === '5' ? 5 : 4,
    username: read.optionalString('username', USERNAME),
    passwordFile: read.optionalString('password_file', ABSOLUTE_PATH),
    caFile: read.optionalString('ca_file', ABSOLUTE_PATH),
    certFile: read.optionalString('cert_file', ABSOLUTE_PATH),
    keyFile: read.optionalString('key_file', ABSOLUTE_PATH),
    keepaliveS: read.integer('keepalive', 60, 5, 3600),
    topicPrefix: read.string('topic_prefix', DEFAULT_TOPIC_PREFIX, TOPIC_PREFIX),
    reconnectMinS,
    reconnectMaxS: read.integer(
      'reconnect_max',
      Math.max(300, reconnectMinS),
      reconnectMinS,
      86400,
    ),
    startupDelayS: read.integer('startup_delay', 30, 0, 3600),
  };
  if (url.tls && !settings.caFile)
    throw new InputError('invalid_ca_file', 'mqtt.ca_file is required for an mqtts:// broker');
  if ((settings.certFile === null) !== (settings.keyFile === null))
    throw new InputError('invalid_cert_file', 'mqtt.cert_file and mqtt.key_file go together');
  return { settings, warnings: read.unknownOptions() };
}
