// Publishes the status on change and on the report interval, at most once per `minIntervalMs`
// (requests in between are coalesced into one), and keeps the latest copy in the run directory.
import type { Runtime, Timer } from '../runtime/runtime.ts';
import type { StatusDocument } from '../status/status-report.ts';

export interface StatusReporterDeps {
  readonly runtime: Runtime;
  readonly minIntervalMs: number;
  build(): Promise<StatusDocument>;
  /** Keeps the document where `status` finds it. */
  store(text: string): void;
  /** Publishes it; resolves false when not connected. */
  publish(document: StatusDocument): Promise<boolean>;
}

export class StatusReporter {
  private lastAt = -Infinity;
  private timer: Timer | null = null;
  private running = false;
  private again = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly deps: StatusReporterDeps) {}

  /** Asks for a report; resolves once one that started after this call has gone out. */
  request(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (this.running) this.again = true;
      else if (!this.timer) this.schedule();
    });
  }

  private schedule(): void {
    const wait = Math.max(0, this.lastAt + this.deps.minIntervalMs - this.deps.runtime.now());
    this.timer = this.deps.runtime.setTimeout(() => void this.report(), wait);
  }

  private async report(): Promise<void> {
    this.timer = null;
    this.running = true;
    const waiters = this.waiters;
    this.waiters = [];
    try {
      const document = await this.deps.build();
      this.deps.store(`${JSON.stringify(document, null, 2)}\n`);
      await this.deps.publish(document);
    } catch {
      // The next request tries again; the daemon logs what went wrong where it happened.
    } finally {
      this.lastAt = this.deps.runtime.now();
      this.running = false;
      for (const resolve of waiters) resolve();
      // Requests that came in while this report ran get one report of their own.
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  cancel(): void {
    if (this.timer) this.deps.runtime.clearTimeout(this.timer);
    this.timer = null;
  }
}
