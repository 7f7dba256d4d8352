// The types at the MQTT client's boundary (session.ts): its events, what a close reports, the
// byte stream it runs over, and its settings.
import type { ConnackPacket, ConnectOptions, PublishPacket } from './packets/types.ts';

export interface MqttError extends Error {
  /** A string for transport and protocol errors (ECONNREFUSED, ECLOSED...), else a reason code. */
  readonly code?: string | number;
}

export interface MqttCloseInfo {
  /** The broker accepted this connection (CONNACK 0) before it closed. */
  readonly connected: boolean;
  /** The close was asked for: client.end(). */
  readonly requested: boolean;
  /**
   * Why it closed: a transport error (code ECONNREFUSED, ETLSVERIFY...; see
   * transport-command.ts), a CONNACK refusal (code = MQTT return/reason code), 'connack timeout',
   * 'Keepalive timeout', a broker DISCONNECT (code = reason code), a packet too large
   * (EPACKETSIZE) or malformed (EPROTOCOL), or ECLOSED when the connection just ended. null only
   * for a requested close.
   */
  readonly error: MqttError | null;
  /** The transport program's stderr (last few KB), for logs. */
  readonly transportStderr: string;
}

export interface MqttClientEvents {
  onConnect?(connack: ConnackPacket): void;
  /**
   * `size` is the payload's size as sent: larger than `payload.length` (which is then 0) when
   * the packet exceeded the read limit and its payload was dropped unread.
   */
  onMessage?(topic: string, payload: Uint8Array, packet: PublishPacket, size: number): void;
  /** Once per connection attempt, after its transport program has exited. */
  onClose?(info: MqttCloseInfo): void;
  /** Errors that do not end the connection (such as a publish during end()). */
  onError?(error: MqttError): void;
}

/** The byte stream of one connection (child-transport.ts). */
export interface MqttLink {
  write(bytes: Uint8Array): void;
  end(): void;
  destroy(error: Error | null): void;
  readonly stderrText: string;
}

export interface MqttLinkEvents {
  onData(chunk: Uint8Array): void;
  onClose(error: Error | null): void;
}

export interface SessionConfig {
  readonly connect: ConnectOptions;
  readonly connectTimeoutMs: number;
  /** Inbound packets larger than this are never held whole (packet-size-guard.ts). */
  readonly readLimitBytes: number;
  /** The broker, for error messages. */
  readonly brokerName: string;
}

export interface SubscriptionGrant {
  readonly topic: string;
  /** The granted QoS, or (>= 0x80) a failure reason code. */
  readonly qos: number;
}

export type PublishCallback = (error?: MqttError) => void;
export type SubscribeCallback = (error: MqttError | null, granted?: SubscriptionGrant[]) => void;
