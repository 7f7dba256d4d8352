// The MQTT client's protocol logic for one connection attempt at a time: CONNECT, CONNACK and its
// timeout, keepalive, QoS 0/1 publish, SUBSCRIBE, inbound QoS 0/1 messages, end() and the one
// onClose per connection. The byte stream (child-transport.ts) and the timers are handed in, so
// tests drive it with scripted ones. It never reconnects by itself: reconnect() starts a new
// attempt when asked (the daemon's backoff decides when).
//
// Behaviour kept from MQTT.js, which the agent used before: the keepalive timer (a check every
// keepalive/2; PINGREQ after one keepalive without PINGRESP, PUBACK or SUBACK; 'Keepalive timeout'
// after 1.5), 'connack timeout', 'Connection refused: ...' with the return/reason code, an inbound
// QoS 1 message acknowledged after the handler ran, end() waiting for PUBACKs in flight. Unlike
// MQTT.js, an MQTT 5 broker's Server Keep Alive replaces the client's keepalive, as MQTT 5 says.
import { encodeUtf8 } from '../encoding/utf8.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import { decodePacket } from './packets/decode.ts';
import {
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePuback,
  encodePublish,
  encodeSubscribe,
} from './packets/encode.ts';
import { PacketFramer } from './packets/framer.ts';
import type { InboundPacket, QoS } from './packets/types.ts';
import { reasonName } from './reason-codes.ts';
import type {
  MqttClientEvents,
  MqttCloseInfo,
  MqttError,
  MqttLink,
  MqttLinkEvents,
  PublishCallback,
  SessionConfig,
  SubscribeCallback,
} from './session-types.ts';

export type * from './session-types.ts';

interface Connection {
  readonly link: MqttLink;
  readonly framer: PacketFramer;
  connected: boolean;
  connackSeen: boolean;
  requested: boolean;
  closed: boolean;
  fatal: MqttError | null;
  connackTimer: Timer | null;
  keepaliveTimer: Timer | null;
  keepaliveTicks: number;
  /** Seconds: ours, or the broker's Server Keep Alive (MQTT 5 CONNACK), which wins. */
  keepaliveSeconds: number;
  readonly publishes: Map<number, PublishCallback>;
  readonly subscribes: Map<number, { topics: string[]; callback: SubscribeCallback }>;
  readonly endCallbacks: (() => void)[];
  /** end(false) waits for the PUBACKs in flight, then sends DISCONNECT. */
  ending: boolean;
}

function mqttError(message: string, code?: string | number): MqttError {
  return code === undefined ? new Error(message) : Object.assign(new Error(message), { code });
}

export class MqttClient {
  private current: Connection | null = null;
  private nextId = 1;

  constructor(
    private readonly timers: Pick<Runtime, 'setTimeout' | 'clearTimeout'>,
    private readonly openLink: (events: MqttLinkEvents) => MqttLink,
    private readonly config: SessionConfig,
    private readonly events: MqttClientEvents = {},
  ) {}

  /** CONNACK 0 received and the connection not closed or closing. */
  get connected(): boolean {
    const c = this.current;
    return !!c && c.connected && !c.closed && !c.requested;
  }

  /** Starts a connection attempt; does nothing while one is open. */
  connect(): this {
    if (this.current && !this.current.closed) return this;
    // Encoded first: invalid CONNECT options throw before any transport program is started.
    const connect = encodeConnect(this.config.connect);
    const conn: Connection = {
      link: null as unknown as MqttLink,
      framer: new PacketFramer(this.config.readLimitBytes, this.config.connect.protocolVersion),
      connected: false,
      connackSeen: false,
      requested: false,
      closed: false,
      fatal: null,
      connackTimer: null,
      keepaliveTimer: null,
      keepaliveTicks: 0,
      keepaliveSeconds: this.config.connect.keepalive,
      publishes: new Map(),
      subscribes: new Map(),
      endCallbacks: [],
      ending: false,
    };
    this.current = conn;
    (conn as { link: MqttLink }).link = this.openLink({
      onData: (chunk) => this.received(conn, chunk),
      onClose: (error) => this.closed(conn, error),
    });
    conn.connackTimer = this.timers.setTimeout(() => {
      conn.connackTimer = null;
      this.fail(conn, mqttError('connack timeout'));
    }, this.config.connectTimeoutMs);
    conn.link.write(connect);
    return this;
  }

  /** A new connection attempt (a new transport program) after a close. */
  reconnect(): this {
    return this.connect();
  }

  publish(
    topic: string,
    payload: string | Uint8Array,
    options: { readonly qos: 0 | 1; readonly retain?: boolean },
    callback?: PublishCallback,
  ): this {
    const conn = this.usable(callback);
    if (!conn) return this;
    const messageId = options.qos === 1 ? this.allocateId(conn) : undefined;
    let packet: Uint8Array;
    try {
      packet = encodePublish(
        {
          topic,
          payload: typeof payload === 'string' ? encodeUtf8(payload) : payload,
          qos: options.qos,
          retain: options.retain ?? false,
          ...(messageId !== undefined && { messageId }),
        },
        this.config.connect.protocolVersion,
      );
    } catch (error) {
      // A topic over 65535 bytes, say: this publish fails, the connection goes on.
      const e = mqttError(`cannot publish to ${topic.slice(0, 100)}: ${String(error)}`);
      if (callback) callback(e);
      else this.report(e);
      return this;
    }
    if (messageId !== undefined && callback) conn.publishes.set(messageId, callback);
    else if (messageId !== undefined) conn.publishes.set(messageId, () => {});
    conn.link.write(packet);
    if (messageId === undefined) callback?.();
    return this;
  }

  subscribe(
    topics: string | string[],
    options: { readonly qos: QoS },
    callback: SubscribeCallback,
  ): this {
    const conn = this.usable(callback);
    if (!conn) return this;
    const list = Array.isArray(topics) ? topics : [topics];
    const messageId = this.allocateId(conn);
    const packet = encodeSubscribe(
      messageId,
      list.map((topic) => ({ topic, qos: options.qos })),
      this.config.connect.protocolVersion,
    );
    conn.subscribes.set(messageId, { topics: list, callback });
    conn.link.write(packet);
    return this;
  }

  /**
   * Closes the connection: with `force`, at once; else after the PUBACKs in flight, with a
   * DISCONNECT (so the broker does not publish the Will). The callback runs after onClose.
   */
  end(force = false, callback?: () => void): this {
    const conn = this.current;
    if (!conn || conn.closed) {
      if (callback) this.timers.setTimeout(callback, 0);
      return this;
    }
    if (callback) conn.endCallbacks.push(callback);
    conn.requested = true;
    if (force || !conn.connected) conn.link.destroy(null);
    else if (conn.publishes.size === 0) this.disconnect(conn);
    else conn.ending = true;
    return this;
  }

  private disconnect(conn: Connection): void {
    conn.ending = false;
    conn.link.write(encodeDisconnect());
    conn.link.end();
  }

  /** The open, accepted connection; else the callback (or onError) hears why not. */
  private usable(callback: ((error: MqttError) => void) | undefined): Connection | null {
    const conn = this.current;
    if (conn && conn.connected && !conn.closed && !conn.requested) return conn;
    const error = mqttError(conn?.requested ? 'client disconnecting' : 'client not connected');
    if (callback) callback(error);
    else this.report(error);
    return null;
  }

  /** Packet identifiers 1..65535 in turn, skipping those still waiting for their ack. */
  private allocateId(conn: Connection): number {
    for (let i = 0; i < 0xffff; i++) {
      const id = this.nextId;
      this.nextId = id === 0xffff ? 1 : id + 1;
      if (!conn.publishes.has(id) && !conn.subscribes.has(id)) return id;
    }
    throw mqttError('no free packet identifier (65535 in flight)');
  }

  private received(conn: Connection, chunk: Uint8Array): void {
    if (conn.closed || conn.fatal) return;
    try {
      for (const frame of conn.framer.feed(chunk)) {
        const packet = decodePacket(frame.first, frame.body, this.config.connect.protocolVersion);
        this.handle(conn, packet, frame.droppedSize);
        if (conn.fatal || conn.closed) return;
      }
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.fail(conn, e as MqttError);
    }
  }

  private handle(conn: Connection, packet: InboundPacket, droppedSize: number | undefined): void {
    if (!conn.connackSeen && packet.cmd !== 'connack')
      return this.fail(
        conn,
        mqttError(`protocol error: ${packet.cmd} before CONNACK`, 'EPROTOCOL'),
      );
    switch (packet.cmd) {
      case 'connack': {
        if (conn.connackSeen)
          return this.fail(conn, mqttError('Protocol error: duplicate CONNACK', 130));
        conn.connackSeen = true;
        this.clearTimer(conn.connackTimer);
        conn.connackTimer = null;
        const code = packet.reasonCode ?? packet.returnCode ?? 0;
        if (code !== 0)
          return this.fail(conn, mqttError(`Connection refused: ${reasonName(code)}`, code));
        conn.connected = true;
        // MQTT 5 (3.2.2.3.14): the client must use the broker's keepalive when it sends one;
        // a broker with a lower maximum would otherwise drop a connection that pings too late.
        const serverKeepAlive = packet.properties?.serverKeepAlive;
        if (typeof serverKeepAlive === 'number') conn.keepaliveSeconds = serverKeepAlive;
        this.keepalive(conn);
        this.safely(() => this.events.onConnect?.(packet));
        return;
      }
      case 'publish': {
        const size = droppedSize ?? packet.payload.length;
        this.safely(() => this.events.onMessage?.(packet.topic, packet.payload, packet, size));
        // As MQTT.js: acknowledged once the handler ran, unless the connection ended meanwhile.
        if (packet.qos === 1 && !conn.closed && !conn.fatal)
          conn.link.write(encodePuback(packet.messageId!));
        return;
      }
      case 'puback': {
        this.keepalive(conn);
        const callback = conn.publishes.get(packet.messageId);
        if (!callback) return; // not ours (a duplicate): ignored, as MQTT.js does
        conn.publishes.delete(packet.messageId);
        const code = packet.reasonCode ?? 0;
        this.safely(() =>
          callback(
            code >= 0x80 ? mqttError(`Publish error: ${reasonName(code)}`, code) : undefined,
          ),
        );
        if (conn.ending && conn.publishes.size === 0 && !conn.closed) this.disconnect(conn);
        return;
      }
      case 'suback': {
        this.keepalive(conn);
        const pending = conn.subscribes.get(packet.messageId);
        if (!pending) return;
        conn.subscribes.delete(packet.messageId);
        const granted = pending.topics.map((topic, i) => ({
          topic,
          qos: packet.granted[i] ?? 0x80,
        }));
        const failed = granted.find((g) => g.qos >= 0x80);
        this.safely(() =>
          pending.callback(
            failed ? mqttError(`Subscribe error: ${reasonName(failed.qos)}`, failed.qos) : null,
            granted,
          ),
        );
        return;
      }
      case 'pingresp':
        this.keepalive(conn);
        return;
      case 'disconnect': {
        // MQTT 5: the broker says why it is closing (session taken over, shutting down, ...).
        const code = packet.reasonCode ?? 0;
        conn.fatal ??= mqttError(`the broker sent DISCONNECT (reason code ${code})`, code);
        this.stopTimers(conn);
        conn.link.end();
        return;
      }
    }
  }

  /** (Re)starts the keepalive check, as MQTT.js's KeepaliveManager.reschedule(). */
  private keepalive(conn: Connection): void {
    const seconds = conn.keepaliveSeconds;
    if (seconds === 0 || conn.closed || conn.fatal) return;
    this.clearTimer(conn.keepaliveTimer);
    conn.keepaliveTicks = 0;
    const every = Math.ceil((seconds * 1000) / 2);
    const tick = (): void => {
      conn.keepaliveTimer = null;
      if (conn.closed || conn.fatal) return;
      conn.keepaliveTicks++;
      if (conn.keepaliveTicks > 2) return this.fail(conn, mqttError('Keepalive timeout'));
      if (conn.keepaliveTicks === 2) conn.link.write(encodePingreq());
      conn.keepaliveTimer = this.timers.setTimeout(tick, every);
    };
    conn.keepaliveTimer = this.timers.setTimeout(tick, every);
  }

  /** An error that ends the connection: the transport is killed, onClose says why. */
  private fail(conn: Connection, error: MqttError): void {
    if (conn.closed) return;
    conn.fatal ??= error;
    this.stopTimers(conn);
    conn.link.destroy(conn.fatal);
  }

  private stopTimers(conn: Connection): void {
    this.clearTimer(conn.connackTimer);
    this.clearTimer(conn.keepaliveTimer);
    conn.connackTimer = null;
    conn.keepaliveTimer = null;
  }

  private clearTimer(timer: Timer | null): void {
    if (timer) this.timers.clearTimeout(timer);
  }

  private closed(conn: Connection, linkError: Error | null): void {
    if (conn.closed) return;
    conn.closed = true;
    this.stopTimers(conn);
    let error: MqttError | null = conn.fatal ?? linkError;
    if (!error && !conn.requested)
      error = mqttError(
        `the connection to ${this.config.brokerName} ${conn.connected ? 'was closed' : 'closed before CONNACK'}`,
        'ECLOSED',
      );
    const info: MqttCloseInfo = {
      connected: conn.connected,
      requested: conn.requested,
      error,
      transportStderr: conn.link.stderrText,
    };
    this.safely(() => this.events.onClose?.(info));
    // Each connection has its own session here: what waits for an ack would wait for ever.
    const gone = mqttError('connection closed', 'ECLOSED');
    for (const callback of conn.publishes.values()) this.safely(() => callback(gone));
    for (const { callback } of conn.subscribes.values()) this.safely(() => callback(gone));
    conn.publishes.clear();
    conn.subscribes.clear();
    for (const callback of conn.endCallbacks.splice(0)) this.safely(callback);
  }

  /** Runs an event handler; what it throws is reported, never lets the connection's code die. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private report(error: MqttError): void {
    try {
      this.events.onError?.(error);
    } catch {
      // an onError that throws has nobody left to tell
    }
  }
}
