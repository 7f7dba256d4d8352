// One connection attempt of the MQTT client (session.ts): its transport, CONNACK and its
// timeout, keepalive, the packets from the broker, the acks it waits for, and the one onClose.
// Each connection has its own session here: nothing of it outlives the transport.
import type { Runtime, Timer } from '../runtime/runtime.ts';
import { decodePacket } from './packets/decode.ts';
import { encodeDisconnect, encodePingreq, encodePuback } from './packets/encode.ts';
import { PacketFramer } from './packets/framer.ts';
import type { InboundPacket } from './packets/types.ts';
import { reasonName } from './reason-codes.ts';
import { Keepalive } from './keepalive.ts';
import { mqttError, safely } from './session-errors.ts';
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

export class Connection {
  link!: MqttLink;
  private readonly framer: PacketFramer;
  /** CONNACK 0 received. */
  connected = false;
  private connackSeen = false;
  /** end() was called. */
  requested = false;
  closed = false;
  private fatal: MqttError | null = null;
  private connackTimer: Timer | null = null;
  private readonly keepalive: Keepalive;
  readonly publishes = new Map<number, PublishCallback>();
  readonly subscribes = new Map<number, { topics: string[]; callback: SubscribeCallback }>();
  readonly endCallbacks: (() => void)[] = [];
  /** end(false) waits for the PUBACKs in flight, then sends DISCONNECT. */
  ending = false;

  constructor(
    private readonly timers: Pick<Runtime, 'setTimeout' | 'clearTimeout'>,
    private readonly config: SessionConfig,
    private readonly events: MqttClientEvents,
  ) {
    this.framer = new PacketFramer(config.readLimitBytes, config.connect.protocolVersion);
    this.keepalive = new Keepalive(
      timers,
      config.connect.keepalive,
      () => this.link.write(encodePingreq()),
      () => this.fail(mqttError('Keepalive timeout')),
    );
  }

  /** Starts the transport and sends CONNECT (encoded by the caller, so it cannot throw here). */
  open(openLink: (events: MqttLinkEvents) => MqttLink, connect: Uint8Array): void {
    this.link = openLink({
      onData: (chunk) => this.received(chunk),
      onClose: (error) => this.onClosed(error),
    });
    this.connackTimer = this.timers.setTimeout(() => {
      this.connackTimer = null;
      this.fail(mqttError('connack timeout'));
    }, this.config.connectTimeoutMs);
    this.link.write(connect);
  }

  disconnect(): void {
    this.ending = false;
    this.link.write(encodeDisconnect());
    this.link.end();
  }

  private received(chunk: Uint8Array): void {
    if (this.closed || this.fatal) return;
    try {
      for (const frame of this.framer.feed(chunk)) {
        const packet = decodePacket(frame.first, frame.body, this.config.connect.protocolVersion);
        this.handle(packet, frame.droppedSize);
        if (this.fatal || this.closed) return;
      }
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.fail(e as MqttError);
    }
  }

  private handle(packet: InboundPacket, droppedSize: number | undefined): void {
    const events = this.events;
    if (!this.connackSeen && packet.cmd !== 'connack')
      return this.fail(mqttError(`protocol error: ${packet.cmd} before CONNACK`, 'EPROTOCOL'));
    switch (packet.cmd) {
      case 'connack': {
        if (this.connackSeen) return this.fail(mqttError('Protocol error: duplicate CONNACK', 130));
        this.connackSeen = true;
        this.clearConnackTimer();
        const code = packet.reasonCode ?? packet.returnCode ?? 0;
        if (code !== 0)
          return this.fail(mqttError(`Connection refused: ${reasonName(code)}`, code));
        this.connected = true;
        // MQTT 5 (3.2.2.3.14): the client must use the broker's keepalive when it sends one;
        // a broker with a lower maximum would otherwise drop a connection that pings too late.
        const serverKeepAlive = packet.properties?.serverKeepAlive;
        if (typeof serverKeepAlive === 'number') this.keepalive.seconds = serverKeepAlive;
        this.keepalive.reschedule();
        safely(events, () => events.onConnect?.(packet));
        return;
      }
      case 'publish': {
        const size = droppedSize ?? packet.payload.length;
        safely(events, () => events.onMessage?.(packet.topic, packet.payload, packet, size));
        // As MQTT.js: acknowledged once the handler ran, unless the connection ended meanwhile.
        if (packet.qos === 1 && !this.closed && !this.fatal)
          this.link.write(encodePuback(packet.messageId!));
        return;
      }
      case 'puback': {
        this.keepalive.reschedule();
        const callback = this.publishes.get(packet.messageId);
        if (!callback) return; // not ours (a duplicate): ignored, as MQTT.js does
        this.publishes.delete(packet.messageId);
        const code = packet.reasonCode ?? 0;
        safely(events, () =>
          callback(
            code >= 0x80 ? mqttError(`Publish error: ${reasonName(code)}`, code) : undefined,
          ),
        );
        if (this.ending && this.publishes.size === 0 && !this.closed) this.disconnect();
        return;
      }
      case 'suback': {
        this.keepalive.reschedule();
        const pending = this.subscribes.get(packet.messageId);
        if (!pending) return;
        this.subscribes.delete(packet.messageId);
        const granted = pending.topics.map((topic, i) => ({
          topic,
          qos: packet.granted[i] ?? 0x80,
        }));
        const failed = granted.find((g) => g.qos >= 0x80);
        safely(events, () =>
          pending.callback(
            failed ? mqttError(`Subscribe error: ${reasonName(failed.qos)}`, failed.qos) : null,
            granted,
          ),
        );
        return;
      }
      case 'pingresp':
        this.keepalive.reschedule();
        return;
      case 'disconnect': {
        // MQTT 5: the broker says why it is closing (session taken over, shutting down, ...).
        const code = packet.reasonCode ?? 0;
        this.fatal ??= mqttError(`the broker sent DISCONNECT (reason code ${code})`, code);
        this.stopTimers();
        this.link.end();
        return;
      }
    }
  }

  /** An error that ends the connection: the transport is killed, onClose says why. */
  private fail(error: MqttError): void {
    if (this.closed) return;
    this.fatal ??= error;
    this.stopTimers();
    this.link.destroy(this.fatal);
  }

  private clearConnackTimer(): void {
    if (this.connackTimer) this.timers.clearTimeout(this.connackTimer);
    this.connackTimer = null;
  }

  private stopTimers(): void {
    this.clearConnackTimer();
    this.keepalive.stop();
  }

  private onClosed(linkError: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    const events = this.events;
    let error: MqttError | null = this.fatal ?? linkError;
    if (!error && !this.requested)
      error = mqttError(
        `the connection to ${this.config.brokerName} ${this.connected ? 'was closed' : 'closed before CONNACK'}`,
        'ECLOSED',
      );
    const info: MqttCloseInfo = {
      connected: this.connected,
      requested: this.requested,
      error,
      transportStderr: this.link.stderrText,
    };
    safely(events, () => events.onClose?.(info));
    // Each connection has its own session here: what waits for an ack would wait for ever.
    const gone = mqttError('connection closed', 'ECLOSED');
    for (const callback of this.publishes.values()) safely(events, () => callback(gone));
    for (const { callback } of this.subscribes.values()) safely(events, () => callback(gone));
    this.publishes.clear();
    this.subscribes.clear();
    for (const callback of this.endCallbacks.splice(0)) safely(events, callback);
  }
}
