// The MQTT adapter of one simulated router: its own MQTT.js connection (TCP on Node) with a
// Last Will on `state`, the agent's order of things (CONNACK, SUBSCRIBE desired and cmd, SUBACK,
// `state` online, `status`), replies from the pure model (router-model.ts), and reconnects with
// the agent's backoff and full jitter. Timers are the fleet's one scheduler, never its own.
import { connect, type MqttClient } from 'mqtt';
import { backoffDelayMs, HEALTHY_SESSION_MS } from '../agent/daemon/backoff.ts';
import type { Topics } from '../contract/topics.ts';
import type { FleetStats } from './fleet-stats.ts';
import type { SimulatedRouter } from './router-model.ts';
import type { Random } from './random.ts';
import type { Scheduler } from './scheduler.ts';

export interface LinkSettings {
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly keepaliveS: number;
  readonly reconnectMinS: number;
  readonly reconnectMaxS: number;
}

/** What the fleet lends each link: the shared scheduler, counters, and a cap on CONNECTs. */
export interface LinkContext {
  readonly settings: LinkSettings;
  readonly scheduler: Scheduler;
  readonly stats: FleetStats;
  readonly random: Random;
  now(): number;
  /** True when this link may start a CONNECT now; false: ask again a little later. */
  takeConnectSlot(): boolean;
  releaseConnectSlot(): void;
  /** Subscribed and announced (the fleet starts the report cycle). */
  onOnline(link: RouterLink): void;
}

const SLOT_RETRY_MS = 25;
// The agent's STATUS_MIN_INTERVAL_MS (agent/daemon/daemon.ts).
const STATUS_MIN_INTERVAL_MS = 1000;

export class RouterLink {
  private client: MqttClient | null = null;
  /** Bumped on every connection attempt: events of an older connection are ignored. */
  private generation = 0;
  /** Failed or short-lived sessions in a row; only a healthy session sets it back to 0. */
  private attempt = 0;
  /** When the current session was subscribed (the agent's healthy-session rule), or null. */
  private subscribedAt: number | null = null;
  private holdsSlot = false;
  private onlineNow = false;
  private stopped = false;
  /** Set while a simulated link drop runs: the close that follows is not a loss to retry. */
  private dropping = false;
  private lastStatusAt = -Infinity;
  private statusQueued = false;
  private statusWaiters: (() => void)[] = [];

  constructor(
    readonly model: SimulatedRouter,
    readonly topics: Topics,
    private readonly context: LinkContext,
  ) {}

  get online(): boolean {
    return this.onlineNow;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** Connects in `ms` (through the connect cap). */
  connectIn(ms: number): void {
    this.context.scheduler.after(ms, () => this.connect());
  }

  private connect(): void {
    if (this.stopped || this.client) return;
    if (!this.context.takeConnectSlot()) return this.connectIn(SLOT_RETRY_MS);
    this.holdsSlot = true;
    const generation = ++this.generation;
    const { settings } = this.context;
    const will = this.model.state(false, this.context.now());
    const client = connect(settings.url, {
      clientId: this.model.id,
      protocolVersion: settings.protocolVersion,
      keepalive: settings.keepaliveS,
      clean: true,
      connectTimeout: 30_000,
      // The fleet reconnects with the agent's backoff; MQTT.js must not.
      reconnectPeriod: 0,
      resubscribe: false,
      // The default builds 65,536 Buffers on first write (platform facts).
      writeCache: false,
      will: { topic: this.topics.state, payload: JSON.stringify(will), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      if (generation !== this.generation) return;
      this.releaseSlot();
      this.context.stats.connects++;
      client.subscribe([this.topics.desired, this.topics.cmd], { qos: 1 }, (error, granted) => {
        if (generation !== this.generation) return;
        // A refused subscription ends the connection, as in the agent.
        if (error || granted?.some((g) => g.qos > 2)) return void client.end(true);
        this.onlineNow = true;
        this.subscribedAt = this.context.now();
        this.context.stats.online++;
        void this.publish('state', this.model.state(true, this.context.now()), true);
        void this.requestStatus();
        this.context.onOnline(this);
      });
    });
    client.on('message', (topic, payload) => {
      if (generation !== this.generation) return;
      if (topic === this.topics.desired) this.onDesired(payload);
      else if (topic === this.topics.cmd) void this.onCommand(payload);
    });
    client.on('error', () => {
      // Reported by the close that follows.
    });
    client.on('close', () => {
      if (generation !== this.generation) return;
      this.closed(client);
    });
  }

  private closed(client: MqttClient): void {
    this.generation++;
    this.releaseSlot();
    if (this.onlineNow) this.context.stats.online--;
    this.onlineNow = false;
    this.client = null;
    client.removeAllListeners();
    client.on('error', () => {});
    // Clears MQTT.js's keepalive and connect timers of the dead connection.
    client.end(true);
    // As the agent's RemoteLink: the backoff starts again only after a session that stayed
    // subscribed for HEALTHY_SESSION_MS, never at a CONNACK.
    if (this.subscribedAt !== null && this.context.now() - this.subscribedAt >= HEALTHY_SESSION_MS)
      this.attempt = 0;
    this.subscribedAt = null;
    if (this.stopped || this.dropping) return;
    this.context.stats.connectionLosses++;
    const { reconnectMinS, reconnectMaxS } = this.context.settings;
    this.connectIn(
      backoffDelayMs(this.attempt++, reconnectMinS, reconnectMaxS, this.context.random()),
    );
  }

  private releaseSlot(): void {
    if (!this.holdsSlot) return;
    this.holdsSlot = false;
    this.context.releaseConnectSlot();
  }

  /**
   * The link dies without a goodbye (the broker publishes the Will); `downMs` later the router
   * is back, after a reboot (new boot id) or with the same run.
   */
  drop(downMs: number, reboot: boolean): void {
    const client = this.client;
    if (!client || this.stopped) return;
    this.dropping = true;
    this.context.stats.drops++;
    client.stream.destroy();
    this.context.scheduler.after(downMs, () => {
      this.dropping = false;
      if (reboot) {
        this.context.stats.reboots++;
        this.model.reboot(this.context.now());
      }
      this.connect();
    });
  }

  /**
   * Asks for a status report, as the agent's StatusReporter does: at most one a second, requests
   * in between coalesced into one. Resolves once a report made after this call has gone out (or
   * could not: not connected).
   */
  requestStatus(): Promise<void> {
    return new Promise((resolve) => {
      this.statusWaiters.push(resolve);
      if (this.statusQueued) return;
      this.statusQueued = true;
      const wait = this.lastStatusAt + STATUS_MIN_INTERVAL_MS - this.context.now();
      this.context.scheduler.after(Math.max(0, wait), () => void this.sendStatus());
    });
  }

  private async sendStatus(): Promise<void> {
    // A request from here on asks for a report made after this one.
    this.statusQueued = false;
    const waiters = this.statusWaiters;
    this.statusWaiters = [];
    this.lastStatusAt = this.context.now();
    await this.publish('status', this.model.status(this.lastStatusAt), true);
    for (const resolve of waiters) resolve();
  }

  private onDesired(payload: Buffer): void {
    this.context.stats.received.desired++;
    const outcome = this.model.onDesired(
      payload.toString('utf8'),
      payload.length,
      this.context.now(),
    );
    this.reply(outcome.reply);
    if (outcome.statusChanged) void this.requestStatus();
  }

  private async onCommand(payload: Buffer): Promise<void> {
    this.context.stats.received.cmd++;
    const outcome = this.model.onCommand(
      payload.toString('utf8'),
      payload.length,
      this.context.now(),
    );
    if (outcome.statusBeforeReply) await this.requestStatus();
    this.reply(outcome.reply);
    if (outcome.statusAfterReply) void this.requestStatus();
  }

  private reply(document: { ok: boolean; error?: { code: string } }): void {
    const key = document.ok ? 'ok' : (document.error?.code ?? 'error');
    const replies = this.context.stats.replies;
    replies.set(key, (replies.get(key) ?? 0) + 1);
    void this.publish('reply', document, false);
  }

  private publish(
    kind: 'state' | 'status' | 'reply',
    document: unknown,
    retain: boolean,
  ): Promise<boolean> {
    const client = this.client;
    // After CONNACK, as the agent's RemoteLink: a retained desired state may arrive before the
    // SUBACK's callback, and its reply must not be lost.
    if (!client || !(this.onlineNow || client.connected)) return Promise.resolve(false);
    return new Promise((resolve) => {
      client.publish(this.topics[kind], JSON.stringify(document), { qos: 1, retain }, (error) => {
        if (!error) this.context.stats.published[kind]++;
        resolve(!error);
      });
    });
  }

  /** Clean stop: `state` offline (retained), then DISCONNECT, so the broker drops the Will. */
  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    if (!client) return;
    if (this.onlineNow)
      await this.publish('state', this.model.state(false, this.context.now()), true);
    // Events of this connection are the stop's business from here on.
    this.generation++;
    if (this.onlineNow) this.context.stats.online--;
    this.onlineNow = false;
    this.client = null;
    this.releaseSlot();
    await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
}
