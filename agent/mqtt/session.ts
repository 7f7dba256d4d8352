// The MQTT client, one connection attempt at a time: CONNECT, QoS 0/1 publish, SUBSCRIBE and
// end() here; CONNACK and its timeout, inbound QoS 0/1 messages, the acks and the one onClose
// per connection in session-connection.ts; the keepalive timer in keepalive.ts. The byte stream
// (child-transport.ts) and the timers are handed in, so tests drive it with scripted ones. It
// never reconnects by itself: reconnect() starts a new attempt when asked (the daemon's backoff
// decides when).
//
// Behaviour kept from MQTT.js, which the agent used before: the keepalive timer (a check every
// keepalive/2; PINGREQ after one keepalive without PINGRESP, PUBACK or SUBACK; 'Keepalive timeout'
// after 1.5), 'connack timeout', 'Connection refused: ...' with the return/reason code, an inbound
// QoS 1 message acknowledged after the handler ran, end() waiting for PUBACKs in flight. Unlike
// MQTT.js, an MQTT 5 broker's Server Keep Alive replaces the client's keepalive, as MQTT 5 says.
import { encodeUtf8 } from '../encoding/utf8.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { encodeConnect, encodePublish, encodeSubscribe } from './packets/encode.ts';
import type { QoS } from './packets/types.ts';
import { Connection } from './session-connection.ts';
import { mqttError, report } from './session-errors.ts';
import type {
  MqttClientEvents,
  MqttError,
  MqttLink,
  MqttLinkEvents,
  PublishCallback,
  SessionConfig,
  SubscribeCallback,
} from './session-types.ts';

export type * from './session-types.ts';

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
    const conn = new Connection(this.timers, this.config, this.events);
    this.current = conn;
    conn.open(this.openLink, connect);
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
      else report(this.events, e);
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
    else if (conn.publishes.size === 0) conn.disconnect();
    else conn.ending = true;
    return this;
  }

  /** The open, accepted connection; else the callback (or onError) hears why not. */
  private usable(callback: ((error: MqttError) => void) | undefined): Connection | null {
    const conn = this.current;
    if (conn && conn.connected && !conn.closed && !conn.requested) return conn;
    const error = mqttError(conn?.requested ? 'client disconnecting' : 'client not connected');
    if (callback) callback(error);
    else report(this.events, error);
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
}
