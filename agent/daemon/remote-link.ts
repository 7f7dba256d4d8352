// The connection to the ISP's broker: connect (after a random start delay), subscribe to this
// router's desired and cmd topics, announce presence with a Last Will, and reconnect with
// backoff whenever the connection ends. A broker outage never touches enforcement.
import type { MqttSettings } from '../config/daemon-settings.ts';
import { decodeUtf8 } from '../encoding/utf8.ts';
import type { Logger } from '../log/logger.ts';
import { createMqttClient, type MqttClient } from '../mqtt/create-client.ts';
import { parseBrokerUrl } from '../mqtt/broker-url.ts';
import { stateMessage } from '../remote/messages.ts';
import type { Topics } from '../../contract/topics.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import { backoffDelayMs } from './backoff.ts';

export type InboundKind = 'desired' | 'cmd';

const STOP_TIMEOUT_MS = 3000;

export interface RemoteHandlers {
  /** Subscribed and presence announced: a good moment to publish the status. */
  onConnected(): void;
  onMessage(kind: InboundKind, payload: string, byteLength: number): void;
}

export class RemoteLink {
  private client: MqttClient | null = null;
  private timer: Timer | null = null;
  private attempt = 0;
  private stopped = false;
  private online = false;
  private closed: (() => void) | null = null;

  constructor(
    private readonly runtime: Runtime,
    private readonly settings: MqttSettings,
    private readonly clientId: string,
    private readonly topics: Topics,
    private readonly boot: string,
    private readonly log: Logger,
    private readonly handlers: RemoteHandlers,
  ) {}

  get connected(): boolean {
    return this.online;
  }

  /** Connects after a random delay of up to `startup_delay` seconds. */
  start(): void {
    const delay = Math.floor(Math.random() * this.settings.startupDelayS * 1000);
    if (delay > 0) this.log.info(`connecting to ${this.settings.broker} in ${delay} ms`);
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.runtime.setTimeout(() => {
      this.timer = null;
      void this.probeOpenssl().then(() => this.connect());
    }, ms);
  }

  private retry(reason: string): void {
    const delay = backoffDelayMs(
      this.attempt++,
      this.settings.reconnectMinS,
      this.settings.reconnectMaxS,
      Math.random(),
    );
    this.log.warn(`MQTT: ${reason}; reconnecting in ${delay} ms`);
    this.schedule(delay);
  }

  private opensslThree: boolean | null = null;

  /** Whether this router's openssl is 3.x (see TlsFiles.closeOnStdinEnd); asked once. */
  private opensslCloses(): boolean {
    return this.opensslThree ?? false;
  }

  private async probeOpenssl(): Promise<void> {
    if (this.opensslThree !== null || !parseBrokerUrl(this.settings.broker).tls) return;
    const result = await this.runtime.run(['openssl', 'version'], { timeoutMs: 5000 });
    this.opensslThree = result.code === 0 && /^OpenSSL [3-9]\./.test(result.stdout);
  }

  private connect(): void {
    if (this.stopped) return;
    const s = this.settings;
    let password: string | undefined;
    if (s.passwordFile) {
      const text = this.runtime.readText(s.passwordFile);
      if (text === null) return this.retry(`cannot read password file ${s.passwordFile}`);
      password = text.replace(/\r?\n$/, '');
    }
    const will = stateMessage(false, this.boot, this.runtime.now());
    try {
      this.client = createMqttClient(
        this.runtime,
        {
          broker: s.broker,
          clientId: this.clientId,
          protocolVersion: s.protocolVersion,
          keepaliveSeconds: s.keepaliveS,
          ...(s.username !== null && { username: s.username }),
          ...(password !== undefined && { password }),
          will: { topic: this.topics.state, payload: JSON.stringify(will), qos: 1, retain: true },
          ...(parseBrokerUrl(s.broker).tls && {
            tls: {
              closeOnStdinEnd: this.opensslCloses(),
              caFile: s.caFile ?? '',
              ...(s.certFile && { certFile: s.certFile }),
              ...(s.keyFile && { keyFile: s.keyFile }),
            },
          }),
        },
        {
          onConnect: () => this.connected_(),
          onMessage: (topic, payload) => {
            const kind =
              topic === this.topics.desired ? 'desired' : topic === this.topics.cmd ? 'cmd' : null;
            if (kind) this.handlers.onMessage(kind, decodeUtf8(payload), payload.length);
          },
          onClose: (info) => {
            const wasOnline = this.online;
            this.online = false;
            this.client = null;
            if (this.closed) this.closed();
            if (this.stopped) return;
            const why = info.error ? info.error.message : 'connection closed';
            this.retry(wasOnline ? `connection lost (${why})` : `cannot connect (${why})`);
          },
          onError: (error) => this.log.warn(`MQTT: ${error.message}`),
        },
      );
    } catch (error) {
      this.retry(error instanceof Error ? error.message : String(error));
    }
  }

  private connected_(): void {
    const client = this.client;
    if (!client) return;
    this.attempt = 0;
    client.subscribe([this.topics.desired, this.topics.cmd], { qos: 1 }, (error) => {
      if (error) {
        this.log.error(`MQTT: subscribe failed: ${error.message}`);
        client.end(true);
        return;
      }
      this.online = true;
      this.log.info(`MQTT: connected to ${this.settings.broker}`);
      this.publish(this.topics.state, stateMessage(true, this.boot, this.runtime.now()), true);
      this.handlers.onConnected();
    });
  }

  /** Publishes JSON with QoS 1; resolves false when not connected or the broker did not ack. */
  publish(topic: string, document: unknown, retain: boolean): Promise<boolean> {
    const client = this.client;
    if (!client || !this.online) return Promise.resolve(false);
    return new Promise((resolve) => {
      client.publish(topic, JSON.stringify(document), { qos: 1, retain }, (error) => {
        if (error) this.log.warn(`MQTT: publish to ${topic} failed: ${error.message}`);
        resolve(!error);
      });
    });
  }

  /** Says goodbye (presence offline, retained), disconnects cleanly, and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.runtime.clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    if (!client) return;
    if (this.online)
      await this.publish(
        this.topics.state,
        stateMessage(false, this.boot, this.runtime.now()),
        true,
      );
    await new Promise<void>((resolve) => {
      // Bounded: a broker that never answers must not hold up the shutdown.
      const timer = this.runtime.setTimeout(resolve, STOP_TIMEOUT_MS);
      this.closed = () => {
        this.runtime.clearTimeout(timer);
        resolve();
      };
      client.end(false);
    });
  }
}
