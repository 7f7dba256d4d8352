// An MQTT.js client whose connection is a transport program (socat for mqtt://, openssl s_client
// for mqtts://) run through the Runtime. It never reconnects by itself: each connection attempt
// ends in exactly one onClose, with the reason, and the daemon decides when to try again
// (with its own backoff), normally with a new client.
//
// Under QuickJS, agent/runtime/quickjs/globals.ts must have been imported before this module
// (MQTT.js needs timers, queueMicrotask and `process` when it loads); the bundle needs the
// esbuild settings of build/esbuild-qjs-options.ts. Under Node it runs as is (tests, tools).
import { InputError, quoteValue } from '../input-error.ts';
import { loadPackages } from '../vendor/load-packages.ts';
import { formatBrokerUrl, parseBrokerUrl } from './broker-url.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';
import {
  createChildProcessStream,
  type ChildProcessStream,
  type ChildStreamRuntime,
} from './stream-over-child.ts';
import { transportArgv, type TlsFiles } from './transport-command.ts';
import type {
  BufferLike,
  ConnackPacket,
  MqttClient,
  MqttError,
  Properties,
  PublishPacket,
  QoS,
} from '../vendor/packages.js';

export type { MqttClient, ConnackPacket, MqttError, PublishPacket, QoS };

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

export interface MqttCloseInfo {
  /** The broker accepted this connection (CONNACK 0) before it closed. */
  readonly connected: boolean;
  /** The close was asked for: client.end(). */
  readonly requested: boolean;
  /**
   * Why it closed: a transport error (code ECONNREFUSED, ETLSVERIFY...; see
   * transport-command.ts), a CONNACK refusal (code = MQTT return/reason code), 'connack timeout',
   * 'Keepalive timeout', a broker DISCONNECT (code = reason code), or ECLOSED when the
   * connection just ended. null only for a requested close.
   */
  readonly error: MqttError | null;
  /** The transport program's stderr (last few KB), for logs. */
  readonly transportStderr: string;
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

export interface MqttClientEvents {
  onConnect?(connack: ConnackPacket): void;
  /**
   * `size` is the payload's size as sent: larger than `payload.length` (which is then 0) when
   * the packet exceeded MAX_READ_PACKET_BYTES and its payload was dropped unread.
   */
  onMessage?(topic: string, payload: Uint8Array, packet: PublishPacket, size: number): void;
  /** Once per connection attempt, after its transport program has exited. */
  onClose?(info: MqttCloseInfo): void;
  /** Errors that do not end the connection (such as a publish during end()). */
  onError?(error: MqttError): void;
}

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

function toBuffer(data: string | Uint8Array): string | BufferLike {
  // mqtt-packet takes a password only as a string or a Buffer (`instanceof`), not a Uint8Array.
  return typeof data === 'string'
    ? data
    : loadPackages().Buffer.from(data.buffer as ArrayBuffer, data.byteOffset, data.length);
}

function closedError(message: string): MqttError {
  return Object.assign(new Error(message), { code: 'ECLOSED' });
}

/**
 * Creates the client and starts connecting (one transport program, one CONNECT). Throws
 * InputError for invalid options. The returned MqttClient is MQTT.js's: publish, subscribe,
 * end() as documented there, with events routed to `events`.
 */
export function createMqttClient(
  runtime: ChildStreamRuntime,
  options: MqttClientOptions,
  events: MqttClientEvents = {},
): MqttClient {
  const broker = parseBrokerUrl(options.broker);
  const argv = transportArgv(broker, options.tls);
  if (options.protocolVersion !== 4 && options.protocolVersion !== 5)
    throw invalid('protocolVersion', options.protocolVersion, 'expected 4 (3.1.1) or 5');
  const { clientId } = options;
  if (typeof clientId !== 'string' || clientId === '' || clientId.length > 256)
    throw invalid('clientId', clientId, 'expected 1 to 256 characters');
  if (/[\0-\x1f\x7f]/.test(clientId)) throw invalid('clientId', clientId, 'control characters');
  if (options.will) checkTopic('will topic', options.will.topic);
  if (options.properties && options.protocolVersion !== 5)
    throw invalid('properties', 'properties', 'MQTT 5 only');

  const readLimit = checkInteger(
    'readLimitBytes',
    options.readLimitBytes ?? MAX_READ_PACKET_BYTES,
    1024,
    MAX_PACKET_BYTES,
  );
  let stream: ChildProcessStream | undefined;
  let guard: PacketSizeGuard | undefined;
  let publishes = 0;
  const droppedSizes = new WeakMap<PublishPacket, number>();
  let connected = false;
  let fatal: MqttError | null = null;

  const { MqttClient } = loadPackages();
  const client = new MqttClient(
    () => {
      // Called by connect(): one transport program per connection attempt.
      connected = false;
      fatal = null;
      const thisGuard = new PacketSizeGuard(readLimit, options.protocolVersion);
      guard = thisGuard;
      publishes = 0;
      stream = createChildProcessStream(runtime, argv, {
        inbound: (chunk) => thisGuard.feed(chunk),
      });
      return stream;
    },
    {
      protocolVersion: options.protocolVersion,
      clientId,
      keepalive: checkInteger('keepaliveSeconds', options.keepaliveSeconds ?? 60, 0, 65535),
      clean: options.clean ?? true,
      connectTimeout: checkInteger(
        'connectTimeoutMs',
        options.connectTimeoutMs ?? 15000,
        1,
        600000,
      ),
      // The daemon reconnects, with backoff; MQTT.js must not (0 turns its timer off).
      reconnectPeriod: 0,
      resubscribe: false,
      // The default builds 65,536 Buffers on the first write: +34 MB RSS under QuickJS.
      writeCache: false,
      // Listeners first, then connect(): nothing can be emitted before they are there.
      manualConnect: true,
      // Plain setInterval, never Web Worker timers.
      timerVariant: 'native',
      ...(options.username !== undefined && { username: options.username }),
      ...(options.password !== undefined && { password: toBuffer(options.password) }),
      ...(options.will && {
        will: {
          topic: options.will.topic,
          payload: toBuffer(options.will.payload),
          qos: options.will.qos ?? 0,
          retain: options.will.retain ?? false,
          ...(options.will.properties && { properties: options.will.properties }),
        },
      }),
      ...(options.protocolVersion === 5 && {
        properties: { maximumPacketSize: MAX_PACKET_BYTES, ...options.properties },
      }),
    },
  );

  client.on('connect', (connack) => {
    connected = true;
    events.onConnect?.(connack);
  });
  // The guard numbers the PUBLISH packets it passes on; MQTT.js sees them in the same order.
  client.on('packetreceive', (packet) => {
    if (packet.cmd !== 'publish') return;
    const size = guard?.droppedSize(publishes);
    publishes++;
    if (size !== undefined) droppedSizes.set(packet, size);
  });
  client.on('message', (topic, payload, packet) =>
    events.onMessage?.(topic, payload, packet, droppedSizes.get(packet) ?? payload.length),
  );
  client.on('disconnect', (packet) => {
    // MQTT 5: the broker says why it is closing (session taken over, shutting down, ...).
    const code = packet.reasonCode ?? 0;
    fatal ??= Object.assign(new Error(`the broker sent DISCONNECT (reason code ${code})`), {
      code,
    });
  });
  client.on('error', (error) => {
    // MQTT.js destroys the stream before it emits an error that ends the connection.
    if (stream?.destroyed) fatal ??= error;
    else events.onError?.(error);
  });
  client.on('close', () => {
    const requested = client.disconnecting === true || client.disconnected === true;
    let error = fatal ?? stream?.destroyError ?? null;
    if (!error && !requested)
      error = connected
        ? closedError(`the connection to ${formatBrokerUrl(broker)} was closed`)
        : closedError(`the connection to ${formatBrokerUrl(broker)} closed before CONNACK`);
    events.onClose?.({ connected, requested, error, transportStderr: stream?.stderrText ?? '' });
  });
  client.connect();
  return client;
}
