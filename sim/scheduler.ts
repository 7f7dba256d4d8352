// One timer for the whole fleet: a min-heap of due times, so 10,000 routers' reports, connects
// and reconnects cost one armed timer instead of one each. Pure: the clock and the single timer
// are given (the adapter passes Date.now and setTimeout); tests drive it by hand.
export interface SchedulerClock {
  now(): number;
  /** Arms the one timer; the scheduler never has more than one armed. */
  setTimer(ms: number, fire: () => void): unknown;
  clearTimer(handle: unknown): void;
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: unknown = null;
  private armedAt = Infinity;
  private stopped = false;

  constructor(private readonly clock: SchedulerClock) {}

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` once, `ms` from now (entries due at the same time run in the order given). */
  after(ms: number, run: () => void): void {
    if (this.stopped) return;
    this.push({ at: this.clock.now() + Math.max(0, ms), seq: this.seq++, run });
    this.arm();
  }

  /** Drops every entry and the timer: nothing runs after this. */
  stop(): void {
    this.stopped = true;
    this.heap.length = 0;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  /** Runs what is due now; a throwing entry does not stop the others. */
  runDue(): void {
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now && !this.stopped) {
      const entry = this.pop();
      try {
        entry.run();
      } catch (error) {
        // Entries are adapters' callbacks: a bug there must not stall the whole fleet.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || first.at >= this.armedAt) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.armedAt = first.at;
    this.timer = this.clock.setTimer(Math.max(0, first.at - this.clock.now()), () => {
      this.timer = null;
      this.armedAt = Infinity;
      this.runDue();
      this.arm();
    });
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.less(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && this.less(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
