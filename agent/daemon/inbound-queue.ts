// Messages from the ISP wait here to be handled one at a time (a desired state checked while an
// earlier one is still being stored would be compared with a stale version). Bounded, so that a
// flood cannot grow memory or delay a valid change without limit:
// - desired states coalesce: only the newest one waits (it is also the retained one, the one that
//   counts); the one it replaces is answered `superseded`;
// - commands wait in arrival order, at most `maxCommands` of them; more are answered `busy`.
import type { InboundKind } from './remote-link.ts';

export interface InboundMessage {
  readonly kind: InboundKind;
  /** The payload as received; empty when it was too large to be read (see `size`). */
  readonly payload: Uint8Array;
  /** The payload's size in bytes as sent. */
  readonly size: number;
}

export type DropReason = 'superseded' | 'busy';

export const MAX_QUEUED_COMMANDS = 16;

export class InboundQueue {
  private readonly waiting: InboundMessage[] = [];
  private running = false;

  constructor(
    private readonly handle: (message: InboundMessage) => Promise<void>,
    /** Answers a message that will not be handled. */
    private readonly drop: (message: InboundMessage, why: DropReason) => void,
    /** Unexpected failures of `handle` (it should answer every message itself). */
    private readonly failed: (error: unknown) => void,
    private readonly maxCommands = MAX_QUEUED_COMMANDS,
  ) {}

  /** Messages waiting (not the one being handled). */
  get length(): number {
    return this.waiting.length;
  }

  push(message: InboundMessage): void {
    if (message.kind === 'desired') {
      const older = this.waiting.findIndex((m) => m.kind === 'desired');
      if (older >= 0) this.drop(this.waiting.splice(older, 1)[0]!, 'superseded');
    } else if (this.waiting.filter((m) => m.kind === 'cmd').length >= this.maxCommands) {
      this.drop(message, 'busy');
      return;
    }
    this.waiting.push(message);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      try {
        await this.handle(next);
      } catch (error) {
        this.failed(error);
      }
    }
    this.running = false;
  }
}
