// The agent's MQTT client (session.ts) over a transport program (socat for mqtt://, openssl
// s_client for mqtts://; child-transport.ts) run through the Runtime. It never reconnects by
// itself: each connection attempt ends in exactly one onClose, with the reason, and the daemon
// decides when to try again (with its own backoff), normally with a new client.
//
// Its own small client instead of MQTT.js: that one brought readable-stream, buffer, events and
// shims, ~240 KB of the bundle and ~1 MB of the daemon's heap, for the narrow part of MQTT the
// daemon uses (CONNECT with a Will, SUBSCRIBE, QoS 0/1 PUBLISH both ways, keepalive).
import { encodeUtf8 } from '../encoding/utf8.ts';
import { InputError, quoteValue } from '../input-error.ts';
import { formatBrokerUrl, parseBrokerUrl } from './broker-url.ts';
import { ChildTransport, type ChildStreamRuntime } from './child-transport.ts';
import type { ConnackPacket, Properties, PublishPacket, QoS } from './packets/types.ts';
import {
  MqttClient,
  type MqttClientEvents,
  type MqttCloseInfo,
  type MqttError,
  type SubscriptionGrant,
} from './session.ts';
import { transportArgv, type TlsFiles } from './transport-command.ts';

export { MqttClient };
export type {
  ConnackPacket,
  MqttClientEvents,
  MqttCloseInfo,
  MqttError,
  Properties,
  PublishPacket,
  QoS,
  SubscriptionGrant,
};

export interface MqttWill {
  readonly topic: string;
  readonly payload: string | Uint8Array;
  readonly qos?: QoS;
  readonly retain?: boolean;
  /** MQTT 5 will properties (willDelayInterval, messageExpiryInterval, ...). */
  readonly properties?: Properties;
}

export interface MqttClientOptions {
  /** mqtt://host[:port] or mqtts://host[:port] (broker-url.ts). */
  readonly broker: string;
  readonly clientId: string;
  /** 4 is MQTT 3.1.1, 5 is MQTT 5. */
  readonly protocolVersion: 4 | 5;
  /** Seconds; 0 turns keepalive off. Default 60. */
  readonly keepaliveSeconds?: number;
  /** From starting the transport to CONNACK (TCP, TLS and MQTT handshakes). Default 15000. */
  readonly connectTimeoutMs?: number;
  /** Clean session (3.1.1) / clean start (5). Default true. */
  readonly clean?: boolean;
  readonly username?: string;
  readonly password?: string | Uint8Array;
  readonly will?: MqttWill;
  /** Required for mqtts://. */
  readonly tls?: TlsFiles;
  /** MQTT 5 CONNECT properties (sessionExpiryInterval, ...). */
  readonly properties?: Properties;
  /** Packets larger than this are never held whole. Default MAX_READ_PACKET_BYTES. */
  readonly readLimitBytes?: number;
}

/**
 * Packets from the broker larger than this are never held whole: a PUBLISH arrives without its
 * payload (onMessage's `size` tells how large it was), anything else ends the connection.
 */
export const MAX_READ_PACKET_BYTES = 64 * 1024;
/**
 * Advertised to MQTT 5 brokers as the CONNECT's Maximum Packet Size: they must not send larger
 * packets. Larger than MAX_READ_PACKET_BYTES, so that a payload too large for the agent is still
 * delivered (as its size) and answered, instead of silently dropped by the broker.
 */
export const MAX_PACKET_BYTES = 16 * 1024 * 1024;

function invalid(what: string, value: unknown, why: string): InputError {
  return new InputError('invalid_mqtt_option', `invalid ${what} ${quoteValue(value)}: ${why}`);
}

function checkInteger(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalid(what, value, `expected an integer from ${min} to ${max}`);
  return value;
}

function checkTopic(what: string, topic: string): void {
  // A PUBLISH/will topic: non-empty, no wildcards, no NUL; MQTT caps it at 65535 bytes.
  if (typeof topic !== 'string' || topic === '' || /[+#\0]/.test(topic) || topic.length > 32767)
    throw invalid(what, topic, 'expected a topic name without wildcards');
}

const bytes = (data: string | Uint8Array): Uint8Array =>
  typeof data === 'string' ? encodeUtf8(data) : data;

/**
 * Creates the client and starts connecting (one transport program, one CONNECT). Throws
 * InputError for invalid options. publish, subscribe, end() and reconnect() are session.ts's,
 * with events routed to `events`.
 */
export function createMqttClient(
  runtime: ChildStreamRuntime,
  options: MqttClientOptions,
  events: MqttClientEvents = {},
): MqttClient {
  const broker = parseBrokerUrl(options.broker);
  const argv = transportArgv(broker, options.tls);
  const version = options.protocolVersion;
  if (version !== 4 && version !== 5)
    throw invalid('protocolVersion', version, 'expected 4 (3.1.1) or 5');
  const { clientId } = options;
  if (typeof clientId !== 'string' || clientId === '' || clientId.length > 256)
    throw invalid('clientId', clientId, 'expected 1 to 256 characters');
  if (/[\0-\x1f\x7f]/.test(clientId)) throw invalid('clientId', clientId, 'control characters');
  const { will } = options;
  if (will) checkTopic('will topic', will.topic);
  if (will?.qos !== undefined && will.qos !== 0 && will.qos !== 1 && will.qos !== 2)
    throw invalid('will qos', will.qos, 'expected 0, 1 or 2');
  if ((options.properties || will?.properties) && version !== 5)
    throw invalid('properties', 'properties', 'MQTT 5 only');
  if (options.username !== undefined && encodeUtf8(options.username).length > 0xffff)
    throw invalid('username', options.username, 'longer than 65535 bytes');
  if (options.password !== undefined && bytes(options.password).length > 0xffff)
    throw invalid('password', '***', 'longer than 65535 bytes');

  const readLimitBytes = checkInteger(
    'readLimitBytes',
    options.readLimitBytes ?? MAX_READ_PACKET_BYTES,
    1024,
    MAX_PACKET_BYTES,
  );
  const client = new MqttClient(
    runtime,
    // One transport program per connection attempt.
    (linkEvents) => new ChildTransport(runtime, argv, linkEvents),
    {
      brokerName: formatBrokerUrl(broker),
      readLimitBytes,
      connectTimeoutMs: checkInteger(
        'connectTimeoutMs',
        options.connectTimeoutMs ?? 15000,
        1,
        600000,
      ),
      connect: {
        protocolVersion: version,
        clientId,
        keepalive: checkInteger('keepaliveSeconds', options.keepaliveSeconds ?? 60, 0, 65535),
        clean: options.clean ?? true,
        ...(options.username !== undefined && { username: options.username }),
        ...(options.password !== undefined && { password: bytes(options.password) }),
        ...(will && {
          will: {
            topic: will.topic,
            payload: bytes(will.payload),
            qos: will.qos ?? 0,
            retain: will.retain ?? false,
            ...(will.properties && { properties: will.properties }),
          },
        }),
        ...(version === 5 && {
          properties: { maximumPacketSize: MAX_PACKET_BYTES, ...options.properties },
        }),
      },
    },
    events,
  );
  // Properties are checked by encoding them: an unknown or ill-typed one throws here, not later.
  try {
    return client.connect();
  } catch (error) {
    throw invalid(
      'properties',
      'properties',
      error instanceof Error ? error.message : String(error),
    );
  }
}
