// The connection to the ISP's broker: connect (after a random start delay), subscribe to this
// router's desired and cmd topics, announce presence with a Last Will, and reconnect with
// backoff whenever the connection ends. A broker outage never touches enforcement.
import type { MqttSettings } from '../config/daemon-settings.ts';
import type { Logger } from '../log/logger.ts';
import { createMqttClient, type MqttClient } from '../mqtt/create-client.ts';
import { parseBrokerUrl } from '../mqtt/broker-url.ts';
import { stateMessage } from '../remote/messages.ts';
import type { Topics } from '../../contract/topics.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import { backoffCeilingS, backoffDelayMs, HEALTHY_SESSION_MS } from './backoff.ts';

export type InboundKind = 'desired' | 'cmd';

const STOP_TIMEOUT_MS = 3000;

export interface RemoteHandlers {
  /** Subscribed and presence announced: a good moment to publish the status. */
  onConnected(): void;
  /**
   * A message on desired or cmd: its bytes, undecoded, and its size as sent (larger than
   * `payload.length` when the payload was too large to be read and was dropped unread).
   */
  onMessage(kind: InboundKind, payload: Uint8Array, size: number): void;
  /** The connection failed or was lost, and why (the transport's code and message). */
  onLinkError?(error: { readonly code: string; readonly message: string }): void;
}

export class RemoteLink {
  private client: MqttClient | null = null;
  private timer: Timer | null = null;
  /** Failed or short-lived sessions in a row; only a healthy session sets it back to 0. */
  private attempt = 0;
  private healthyTimer: Timer | null = null;
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
    /** Tests shorten it; the daemon keeps the default. */
    private readonly healthyAfterMs = HEALTHY_SESSION_MS,
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
    const { reconnectMinS, reconnectMaxS } = this.settings;
    const attempt = this.attempt++;
    const delay = backoffDelayMs(attempt, reconnectMinS, reconnectMaxS, Math.random());
    const ceiling = backoffCeilingS(attempt, reconnectMinS, reconnectMaxS);
    this.log.warn(
      `MQTT: ${reason}; reconnecting in ${delay} ms (retry ${attempt + 1}, backoff up to ${ceiling} s)`,
    );
    this.schedule(delay);
  }

  private clearHealthyTimer(): void {
    if (this.healthyTimer) this.runtime.clearTimeout(this.healthyTimer);
    this.healthyTimer = null;
  }

  private opensslThree: boolean | null = null;
  /** Publishes of the current connection still waiting for their PUBACK. */
  private readonly unacked = new Set<(ok: boolean) => void>();

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
          onMessage: (topic, payload, _packet, size) => {
            const kind =
              topic === this.topics.desired ? 'desired' : topic === this.topics.cmd ? 'cmd' : null;
            if (!kind) return;
            // Thrown, an error would reach onError, which ends the connection, and a retained
            // message would end every next one too: no message may cost the link.
            try {
              this.handlers.onMessage(kind, payload, size);
            } catch (error) {
              this.log.error(`MQTT: cannot take a ${kind} message: ${String(error)}`);
            }
          },
          onClose: (info) => {
            // A QoS 1 publish still waiting for its PUBACK never gets it now: settled here, before
            // anything else runs (the client also fails its callback, just after onClose), so
            // that whatever awaits it (the one-at-a-time message queue) never waits for ever.
            for (const settle of [...this.unacked]) settle(false);
            const wasOnline = this.online;
            this.online = false;
            this.clearHealthyTimer();
            this.client = null;
            if (this.closed) this.closed();
            if (this.stopped) return;
            const why = info.error ? info.error.message : 'connection closed';
            const code = info.error?.code;
            this.handlers.onLinkError?.({
              code: wasOnline ? 'broker_connection_lost' : 'broker_unreachable',
              message: `${this.settings.broker}: ${code !== undefined ? `${String(code)}: ` : ''}${why}`,
            });
            this.retry(wasOnline ? `connection lost (${why})` : `cannot connect (${why})`);
          },
          onError: (error) => {
            this.log.warn(`MQTT: ${error.message}`);
            // Something unexpected (a handler that threw): close, and retry with backoff. A
            // malformed packet from the broker needs nothing here: it ends the connection.
            this.client?.end(true);
          },
        },
      );
    } catch (error) {
      this.retry(error instanceof Error ? error.message : String(error));
    }
  }

  private connected_(): void {
    const client = this.client;
    if (!client) return;
    client.subscribe([this.topics.desired, this.topics.cmd], { qos: 1 }, (error) => {
      if (this.client !== client) return; // closed meanwhile: onClose has retried already
      if (error) {
        this.log.error(`MQTT: subscribe failed: ${error.message}`);
        client.end(true);
        return;
      }
      this.online = true;
      this.log.info(`MQTT: connected to ${this.settings.broker}`);
      this.healthyTimer = this.runtime.setTimeout(() => {
        this.healthyTimer = null;
        if (this.attempt > 0) this.log.debug('MQTT: session healthy, backoff reset');
        this.attempt = 0;
      }, this.healthyAfterMs);
      this.publish(this.topics.state, stateMessage(true, this.boot, this.runtime.now()), true);
      this.handlers.onConnected();
    });
  }

  /** Publishes JSON with QoS 1; resolves false when not connected or the broker did not ack. */
  publish(topic: string, document: unknown, retain: boolean): Promise<boolean> {
    const client = this.client;
    // After CONNACK, not only once the SUBACK's callback ran: a retained message may be handed
    // over before that callback, and its reply must not be lost.
    if (!client || !(this.online || client.connected)) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (ok: boolean): void => void (this.unacked.delete(settle) && resolve(ok));
      this.unacked.add(settle);
      client.publish(topic, JSON.stringify(document), { qos: 1, retain }, (error) => {
        if (error) this.log.warn(`MQTT: publish to ${topic} failed: ${error.message}`);
        settle(!error);
      });
    });
  }

  /** Says goodbye (presence offline, retained), disconnects cleanly, and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.runtime.clearTimeout(this.timer);
    this.timer = null;
    this.clearHealthyTimer();
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
