// The MQTT packets the agent sends and receives (3.1.1 = protocol 4, and 5), as plain data.
// Field names follow mqtt-packet's (npm), which the Node side and the tests use.

export type QoS = 0 | 1 | 2;

/** MQTT 5 properties, named as mqtt-packet names them (sessionExpiryInterval, userProperties...). */
export type Properties = Record<string, unknown>;

export type ProtocolVersion = 4 | 5;

/** A packet from the broker that does not follow the protocol: it ends the connection. */
export class MqttProtocolError extends Error {
  readonly code = 'EPROTOCOL';
}

export interface ConnackPacket {
  readonly cmd: 'connack';
  readonly sessionPresent: boolean;
  /** MQTT 3.1.1 */
  readonly returnCode?: number;
  /** MQTT 5 */
  readonly reasonCode?: number;
  readonly properties?: Properties;
}

export interface PublishPacket {
  readonly cmd: 'publish';
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  readonly messageId?: number;
  readonly properties?: Properties;
}

export interface PubackPacket {
  readonly cmd: 'puback';
  readonly messageId: number;
  /** MQTT 5; 0 when absent. */
  readonly reasonCode?: number;
  readonly properties?: Properties;
}

export interface SubackPacket {
  readonly cmd: 'suback';
  readonly messageId: number;
  /** Per topic filter: the granted QoS, or (>= 0x80) a failure code. */
  readonly granted: number[];
  readonly properties?: Properties;
}

export interface PingrespPacket {
  readonly cmd: 'pingresp';
}

export interface DisconnectPacket {
  readonly cmd: 'disconnect';
  /** MQTT 5; 0 when absent. */
  readonly reasonCode?: number;
  readonly properties?: Properties;
}

/** Every packet a client may receive; anything else from a broker is a protocol error. */
export type InboundPacket =
  ConnackPacket | PublishPacket | PubackPacket | SubackPacket | PingrespPacket | DisconnectPacket;

export interface WillMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties?: Properties;
}

export interface ConnectOptions {
  readonly protocolVersion: ProtocolVersion;
  readonly clientId: string;
  readonly keepalive: number;
  readonly clean: boolean;
  readonly username?: string;
  readonly password?: Uint8Array;
  readonly will?: WillMessage;
  readonly properties?: Properties;
}

export interface PublishOptions {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly dup?: boolean;
  /** Required for QoS 1. */
  readonly messageId?: number;
  readonly properties?: Properties;
}

export interface Subscription {
  readonly topic: string;
  readonly qos: QoS;
}
