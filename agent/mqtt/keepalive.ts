// The keepalive of one MQTT connection, as MQTT.js's KeepaliveManager: a check every
// keepalive/2; a PINGREQ after one keepalive without PINGRESP, PUBACK or SUBACK; a timeout
// after 1.5. Stopped for good when the connection fails or closes.
import type { Runtime, Timer } from '../runtime/runtime.ts';

export class Keepalive {
  private timer: Timer | null = null;
  private ticks = 0;
  private stopped = false;

  constructor(
    private readonly timers: Pick<Runtime, 'setTimeout' | 'clearTimeout'>,
    /** Seconds: ours, or the broker's Server Keep Alive (MQTT 5 CONNACK), which wins. */
    public seconds: number,
    private readonly ping: () => void,
    private readonly expired: () => void,
  ) {}

  /** (Re)starts the check, as MQTT.js's KeepaliveManager.reschedule(). */
  reschedule(): void {
    const seconds = this.seconds;
    if (seconds === 0 || this.stopped) return;
    this.clear();
    this.ticks = 0;
    const every = Math.ceil((seconds * 1000) / 2);
    const tick = (): void => {
      this.timer = null;
      if (this.stopped) return;
      this.ticks++;
      if (this.ticks > 2) return this.expired();
      if (this.ticks === 2) this.ping();
      this.timer = this.timers.setTimeout(tick, every);
    };
    this.timer = this.timers.setTimeout(tick, every);
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private clear(): void {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
