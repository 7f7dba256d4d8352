// N simulated routers in one process: their models, their links, one scheduler for all their
// timers. Connects are staggered (a random start over the ramp, and at most `maxConnecting`
// CONNECTs in flight), reports come every interval with jitter, flaky routers drop their link
// and come back.
import { topicsFor } from '../contract/topics.ts';
import { emptyStats, type FleetStats } from './fleet-stats.ts';
import { assignProfiles, simulatedDeviceId, type ProfileCounts } from './profiles.ts';
import { seededRandom, type Random } from './random.ts';
import { RouterLink, type LinkContext, type LinkSettings } from './router-link.ts';
import { SimulatedRouter } from './router-model.ts';
import { Scheduler } from './scheduler.ts';

export interface FleetOptions extends LinkSettings {
  readonly routers: number;
  readonly prefix: string;
  /** Seconds between reports of each router (the agent's `report_interval`). */
  readonly intervalS: number;
  readonly verifyKey: Uint8Array | null;
  readonly counts: ProfileCounts;
  readonly seed: number;
  /** First connections are spread at random over this many seconds. */
  readonly rampS: number;
  readonly maxConnecting: number;
  /** Flaky routers: seconds online before a drop, and offline after it ([min, max]). */
  readonly flakyUpS: readonly [number, number];
  readonly flakyDownS: readonly [number, number];
}

/** The agent's reconnect defaults (docs/configuration.md) and MQTT 5. */
export const FLEET_DEFAULTS = {
  prefix: 'op25b/v1',
  intervalS: 300,
  protocolVersion: 5,
  keepaliveS: 60,
  reconnectMinS: 1,
  reconnectMaxS: 300,
  maxConnecting: 200,
} as const;

// A report comes every interval plus or minus this share, so the fleet's reports never bunch.
const REPORT_JITTER = 0.1;

function between(random: Random, [min, max]: readonly [number, number]): number {
  return (min + random() * (max - min)) * 1000;
}

export class Fleet {
  readonly stats: FleetStats = emptyStats();
  readonly links: RouterLink[];
  private readonly scheduler: Scheduler;
  private readonly random: Random;
  private connecting = 0;
  private startedAt = 0;
  private readonly everOnline = new Set<string>();

  constructor(private readonly options: FleetOptions) {
    this.random = seededRandom(options.seed);
    this.scheduler = new Scheduler({
      now: () => Date.now(),
      setTimer: (ms, fire) => setTimeout(fire, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
    });
    const profiles = assignProfiles(options.routers, options.counts, this.random);
    const context: LinkContext = {
      settings: options,
      scheduler: this.scheduler,
      stats: this.stats,
      random: this.random,
      now: () => Date.now(),
      takeConnectSlot: () => {
        if (this.connecting >= options.maxConnecting) return false;
        this.connecting++;
        return true;
      },
      releaseConnectSlot: () => void this.connecting--,
      onOnline: (link) => this.online(link),
    };
    const now = Date.now();
    this.links = profiles.map((profile, index) => {
      const id = simulatedDeviceId(index);
      const model = new SimulatedRouter({
        id,
        index,
        profile,
        verifyKey: options.verifyKey,
        random: this.random,
        now,
      });
      return new RouterLink(model, topicsFor(options.prefix, id), context);
    });
  }

  start(): void {
    this.startedAt = Date.now();
    for (const link of this.links) {
      link.connectIn(this.random() * this.options.rampS * 1000);
      if (link.model.profile === 'flaky') this.scheduleDrop(link);
    }
  }

  link(id: string): RouterLink | undefined {
    return this.links.find((l) => l.model.id === id);
  }

  /** Says goodbye on every connection and stops all timers. */
  async stop(): Promise<void> {
    this.scheduler.stop();
    await Promise.all(this.links.map((link) => link.stop()));
  }

  private online(link: RouterLink): void {
    if (!this.everOnline.has(link.model.id)) {
      this.everOnline.add(link.model.id);
      if (this.everOnline.size === this.links.length)
        this.stats.allConnectedMs = Date.now() - this.startedAt;
    }
    this.scheduleReport(link, link.currentGeneration, this.random());
  }

  /** The next periodic report of this connection; `share` of an interval (the first is a phase). */
  private scheduleReport(link: RouterLink, generation: number, share: number): void {
    const ms = share * this.options.intervalS * 1000;
    this.scheduler.after(ms, () => {
      // A reconnect started its own cycle.
      if (link.currentGeneration !== generation || !link.online) return;
      void link.requestStatus();
      const jitter = 1 + (this.random() * 2 - 1) * REPORT_JITTER;
      this.scheduleReport(link, generation, jitter);
    });
  }

  private scheduleDrop(link: RouterLink): void {
    this.scheduler.after(between(this.random, this.options.flakyUpS), () => {
      if (link.online)
        link.drop(between(this.random, this.options.flakyDownS), this.random() < 0.5);
      this.scheduleDrop(link);
    });
  }
}
