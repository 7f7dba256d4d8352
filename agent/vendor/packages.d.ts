// Types for packages.js: the parts of readable-stream 4, MQTT.js 5, buffer and @noble/ed25519
// the agent uses, written without Node's types (packages.js says why). Keep them to what the
// code calls.

type Listener = (...args: never[]) => void;

export interface DuplexOptions {
  readonly allowHalfOpen?: boolean;
  readonly emitClose?: boolean;
  readonly autoDestroy?: boolean;
  readonly decodeStrings?: boolean;
}

export interface WriteChunk {
  readonly chunk: Uint8Array;
  readonly encoding: string;
}

export declare class Duplex {
  constructor(options?: DuplexOptions);
  readonly destroyed: boolean;
  readonly readableEnded: boolean;
  readonly writableFinished: boolean;
  push(chunk: Uint8Array | null): boolean;
  write(chunk: Uint8Array | string, callback?: (error?: Error | null) => void): boolean;
  end(callback?: () => void): this;
  end(chunk: Uint8Array | string, callback?: () => void): this;
  cork(): void;
  uncork(): void;
  destroy(error?: Error): this;
  on(event: 'data', listener: (chunk: Uint8Array) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end' | 'finish' | 'close', listener: () => void): this;
  once(event: 'data', listener: (chunk: Uint8Array) => void): this;
  once(event: 'error', listener: (error: Error) => void): this;
  once(event: 'end' | 'finish' | 'close', listener: () => void): this;
  removeListener(event: string, listener: Listener): this;
  _read(size: number): void;
  _write(chunk: Uint8Array, encoding: string, callback: (error?: Error | null) => void): void;
  _writev?(chunks: WriteChunk[], callback: (error?: Error | null) => void): void;
  _final(callback: (error?: Error | null) => void): void;
  _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
}

export type QoS = 0 | 1 | 2;

/** MQTT 5 properties, as mqtt-packet names them (sessionExpiryInterval, userProperties, ...). */
export type Properties = Record<string, unknown>;

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

export interface DisconnectPacket {
  readonly cmd: 'disconnect';
  readonly reasonCode?: number;
  readonly properties?: Properties;
}

export interface SubscriptionGrant {
  readonly topic: string;
  /** The granted QoS, or (>= 0x80) a failure reason code. */
  readonly qos: number;
}

export interface Will {
  readonly topic: string;
  readonly payload: Uint8Array | string;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties?: Properties;
}

export interface ClientOptions {
  readonly protocolVersion: 4 | 5;
  readonly clientId: string;
  readonly keepalive: number;
  readonly clean: boolean;
  readonly connectTimeout: number;
  readonly reconnectPeriod: number;
  readonly resubscribe?: boolean;
  readonly writeCache: boolean;
  readonly manualConnect?: boolean;
  readonly timerVariant?: 'native' | 'worker' | 'auto';
  readonly username?: string;
  readonly password?: Uint8Array | string;
  readonly will?: Will;
  readonly properties?: Properties;
}

export interface PublishOptions {
  readonly qos?: QoS;
  readonly retain?: boolean;
  readonly properties?: Properties;
}

export interface SubscribeOptions {
  readonly qos: QoS;
  /** MQTT 5: no local, retain as published, retain handling. */
  readonly nl?: boolean;
  readonly rap?: boolean;
  readonly rh?: 0 | 1 | 2;
  readonly properties?: Properties;
}

export interface MqttError extends Error {
  /** A string for transport errors (ECONNREFUSED...), an MQTT reason code for broker refusals. */
  readonly code?: string | number;
}

export declare class MqttClient {
  constructor(streamBuilder: (client: MqttClient) => Duplex, options: ClientOptions);
  readonly options: ClientOptions;
  readonly connected: boolean;
  readonly disconnecting: boolean;
  readonly disconnected: boolean;
  readonly stream: Duplex;
  connect(): this;
  on(event: 'connect', listener: (connack: ConnackPacket) => void): this;
  on(
    event: 'message',
    listener: (topic: string, payload: Uint8Array, packet: PublishPacket) => void,
  ): this;
  on(event: 'disconnect', listener: (packet: DisconnectPacket) => void): this;
  /** Every packet from the broker, in order, before it is handled. */
  on(
    event: 'packetreceive',
    listener: (packet: { readonly cmd: string } & PublishPacket) => void,
  ): this;
  on(event: 'error', listener: (error: MqttError) => void): this;
  on(event: 'close' | 'end' | 'offline' | 'reconnect', listener: () => void): this;
  once(event: 'connect', listener: (connack: ConnackPacket) => void): this;
  once(event: 'error', listener: (error: MqttError) => void): this;
  once(event: 'close' | 'end', listener: () => void): this;
  removeListener(event: string, listener: Listener): this;
  publish(
    topic: string,
    payload: Uint8Array | string,
    options?: PublishOptions,
    callback?: (error?: Error) => void,
  ): this;
  publishAsync(
    topic: string,
    payload: Uint8Array | string,
    options?: PublishOptions,
  ): Promise<unknown>;
  subscribe(
    topic: string | string[],
    options: SubscribeOptions,
    callback?: (error: Error | null, granted?: SubscriptionGrant[]) => void,
  ): this;
  subscribeAsync(topic: string | string[], options: SubscribeOptions): Promise<SubscriptionGrant[]>;
  unsubscribeAsync(topic: string | string[]): Promise<unknown>;
  /** A new connection attempt (a new transport program) after a close, keeping the session. */
  reconnect(): this;
  /** Sends DISCONNECT (unless `force`) and closes; the callback runs once it is closed. */
  end(force?: boolean, callback?: (error?: Error) => void): this;
  endAsync(force?: boolean): Promise<void>;
}

/** The part of the npm `buffer` package's Buffer (Node's, under Node) the agent uses. */
export interface BufferLike extends Uint8Array {}
export interface BufferClass {
  from(buffer: ArrayBuffer, byteOffset?: number, length?: number): BufferLike;
  from(bytes: readonly number[] | Uint8Array): BufferLike;
}

export interface Packages {
  readonly Duplex: typeof Duplex;
  readonly MqttClient: typeof MqttClient;
  readonly Buffer: BufferClass;
  /**
   * Ed25519 signature check, RFC 8032 strict as libsodium (@noble/ed25519's `zip215: false`,
   * and no R of small order); ed25519-verify.js.
   */
  verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** A 32-byte point encoding: canonical and on the curve, and whether of small order. */
  ed25519Point(bytes: Uint8Array): 'ok' | 'small_order' | 'invalid';
}

export declare const packages: Packages;
