// Cuts the broker's byte stream into whole packets, behind packet-size-guard.ts: the guard has
// already cut every packet down to `limit` bytes at most (a larger PUBLISH comes without its
// payload, whose size it keeps), so what is held here is bounded. Chunks may split a packet
// anywhere; a packet's pieces are copied together once it is complete.
import { PacketSizeGuard } from '../packet-size-guard.ts';
import type { ProtocolVersion } from './types.ts';

export interface Frame {
  /** The fixed header's first byte: type and flags. */
  readonly first: number;
  readonly body: Uint8Array;
  /** For a PUBLISH whose payload was dropped unread: the payload's real size. */
  readonly droppedSize?: number;
}

export class PacketFramer {
  private readonly guard: PacketSizeGuard;
  private head: number[] = [];
  private pieces: Uint8Array[] = [];
  private have = 0;
  private need = -1; // the body's length, once the fixed header is complete
  private publishes = 0;

  constructor(limit: number, version: ProtocolVersion) {
    this.guard = new PacketSizeGuard(limit, version);
  }

  /** Takes bytes from the broker; returns the packets they complete. Throws PacketSizeError. */
  feed(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    for (const part of this.guard.feed(chunk)) this.take(part, frames);
    return frames;
  }

  private take(part: Uint8Array, frames: Frame[]): void {
    let at = 0;
    while (at < part.length) {
      if (this.need < 0) {
        // The guard has checked the remaining length: at most 4 bytes, well-formed.
        const b = part[at++]!;
        this.head.push(b);
        if (this.head.length === 1 || b & 0x80) continue;
        this.need = 0;
        for (let i = this.head.length - 1; i >= 1; i--)
          this.need = this.need * 128 + (this.head[i]! & 0x7f);
        if (this.need === 0) this.emit(frames);
        continue;
      }
      const n = Math.min(this.need - this.have, part.length - at);
      this.pieces.push(part.subarray(at, at + n));
      this.have += n;
      at += n;
      if (this.have === this.need) this.emit(frames);
    }
  }

  private emit(frames: Frame[]): void {
    const first = this.head[0]!;
    const body = this.pieces.length === 1 ? this.pieces[0]!.slice() : new Uint8Array(this.have);
    if (this.pieces.length > 1) {
      let at = 0;
      for (const piece of this.pieces) {
        body.set(piece, at);
        at += piece.length;
      }
    }
    let droppedSize: number | undefined;
    if (first >> 4 === 3) droppedSize = this.guard.droppedSize(this.publishes++);
    frames.push(droppedSize === undefined ? { first, body } : { first, body, droppedSize });
    this.head = [];
    this.pieces = [];
    this.have = 0;
    this.need = -1;
  }
}
