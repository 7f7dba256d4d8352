// Reads the broker's byte stream ahead of the packet framer (packets/framer.ts) and keeps every
// packet it passes on small: a framer buffers a packet whole before it is decoded, so a broker
// announcing a remaining length of 268 MB would make it hold whatever arrives. Here, a PUBLISH
// over `limit` bytes is passed on with its payload removed (it is read and dropped as it
// arrives, never held) and its real payload size is kept for the receiver, which answers it
// `payload_too_large`: a retained message that is too large must not end the connection, or it
// would end every next one too. Any other packet over the limit, or a broken length, is an
// error that ends the connection.

export class PacketSizeError extends Error {
  readonly code = 'EPACKETSIZE';
}

const PUBLISH = 3;

/** MQTT's variable byte integer: [value, bytes] from `bytes[at]`, or null when incomplete. */
function readVarint(bytes: readonly number[] | Uint8Array, at: number): [number, number] | null {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const b = bytes[at + i];
    if (b === undefined) return null;
    value += (b & 0x7f) * 128 ** i;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new PacketSizeError('malformed remaining length');
}

function varint(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

export class PacketSizeGuard {
  /** Bytes of the fixed header (or of a large PUBLISH's variable header) read so far. */
  private head: number[] = [];
  private mode: 'header' | 'pass' | 'topic' | 'drop' = 'header';
  /** Bytes left to pass on or to drop in the current packet. */
  private left = 0;
  private first = 0;
  private publishes = 0;
  private readonly dropped = new Map<number, number>();

  constructor(
    private readonly limit: number,
    private readonly protocolVersion: 4 | 5,
  ) {}

  /** The dropped payload size of the n-th PUBLISH passed on (0-based), once; else undefined. */
  droppedSize(publishIndex: number): number | undefined {
    const size = this.dropped.get(publishIndex);
    this.dropped.delete(publishIndex);
    return size;
  }

  /** Takes bytes from the broker and returns those to hand to the MQTT parser. */
  feed(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.mode === 'pass' || this.mode === 'drop') {
        const n = Math.min(this.left, chunk.length - at);
        if (this.mode === 'pass') out.push(chunk.subarray(at, at + n));
        at += n;
        this.left -= n;
        if (this.left === 0) this.mode = 'header';
        continue;
      }
      this.head.push(chunk[at++]!);
      if (this.mode === 'header') this.headerByte(out);
      else this.topicByte(out);
    }
    return out;
  }

  private headerByte(out: Uint8Array[]): void {
    const length = readVarint(this.head, 1);
    if (!length) return;
    const [remaining, lengthBytes] = length;
    const header = Uint8Array.from(this.head);
    this.first = this.head[0]!;
    this.head = [];
    const isPublish = this.first >> 4 === PUBLISH;
    if (1 + lengthBytes + remaining <= this.limit) {
      if (isPublish) this.publishes++;
      out.push(header);
      this.start('pass', remaining);
      return;
    }
    if (!isPublish)
      throw new PacketSizeError(
        `the broker sent a packet of ${remaining} bytes (type ${this.first >> 4}), over the limit of ${this.limit}`,
      );
    this.left = remaining; // the whole PUBLISH: its variable header is read in 'topic' mode
    this.mode = 'topic';
  }

  private topicByte(out: Uint8Array[]): void {
    this.left--;
    const qos = (this.first >> 1) & 3;
    const h = this.head;
    if (h.length > this.limit) throw new PacketSizeError('PUBLISH header over the size limit');
    const size = this.variableHeaderSize(qos);
    if (size === null || h.length < size) {
      if (this.left === 0) throw new PacketSizeError('PUBLISH shorter than its header');
      return;
    }
    // The variable header is complete: pass it on as a PUBLISH with an empty payload.
    out.push(Uint8Array.from([this.first, ...varint(h.length), ...h]));
    this.dropped.set(this.publishes++, this.left);
    this.head = [];
    this.start('drop', this.left);
  }

  /** The size of the PUBLISH variable header being read, once it can be told; else null. */
  private variableHeaderSize(qos: number): number | null {
    const h = this.head;
    if (h.length < 2) return null;
    const size = 2 + ((h[0]! << 8) | h[1]!) + (qos > 0 ? 2 : 0);
    if (this.protocolVersion === 4) return size;
    const properties = h.length > size ? readVarint(h, size) : null;
    return properties ? size + properties[1] + properties[0] : null;
  }

  private start(mode: 'pass' | 'drop', bytes: number): void {
    this.left = bytes;
    this.mode = bytes === 0 ? 'header' : mode;
  }
}
