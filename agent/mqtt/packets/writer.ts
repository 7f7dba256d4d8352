// Builds one packet's bytes: fields are appended to a growing array of byte values and copied
// once into the packet, so a packet is a single Uint8Array (and a single write).
import { encodeUtf8 } from '../../encoding/utf8.ts';
import { MqttProtocolError } from './types.ts';

/** The largest remaining length MQTT can express (four varint bytes). */
export const MAX_REMAINING_LENGTH = 268_435_455;

export class ByteWriter {
  private readonly bytes: number[] = [];
  /** Large binary fields (payloads) are kept as they are, not spread into `bytes`. */
  private readonly parts: (number[] | Uint8Array)[] = [];
  private length = 0;

  get size(): number {
    return this.length + this.bytes.length;
  }

  u8(value: number): this {
    this.bytes.push(value & 0xff);
    return this;
  }

  u16(value: number): this {
    this.bytes.push((value >> 8) & 0xff, value & 0xff);
    return this;
  }

  u32(value: number): this {
    this.bytes.push((value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
    return this;
  }

  varint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > MAX_REMAINING_LENGTH)
      throw new RangeError(`variable byte integer out of range: ${value}`);
    do {
      let b = value % 128;
      value = Math.floor(value / 128);
      if (value > 0) b |= 0x80;
      this.bytes.push(b);
    } while (value > 0);
    return this;
  }

  /** Bytes as they are, without a length prefix. */
  raw(data: Uint8Array): this {
    if (data.length < 64) {
      for (let i = 0; i < data.length; i++) this.bytes.push(data[i]!);
      return this;
    }
    this.flushBytes();
    this.parts.push(data);
    this.length += data.length;
    return this;
  }

  /** Binary data with a two-byte length. */
  binary(data: Uint8Array): this {
    if (data.length > 0xffff) throw new RangeError(`field of ${data.length} bytes, over 65535`);
    return this.u16(data.length).raw(data);
  }

  /** A UTF-8 string with a two-byte length. */
  string(text: string): this {
    return this.binary(encodeUtf8(text));
  }

  /** Appends what another writer holds. */
  append(other: ByteWriter): this {
    other.flushBytes();
    for (const part of other.parts)
      if (part instanceof Uint8Array) this.raw(part);
      else for (const b of part) this.bytes.push(b);
    return this;
  }

  /** The whole packet: `first` (type and flags), the remaining length, then what was written. */
  packet(first: number): Uint8Array {
    this.flushBytes();
    if (this.length > MAX_REMAINING_LENGTH)
      throw new MqttProtocolError(`packet of ${this.length} bytes, over MQTT's limit`);
    const head = new ByteWriter().u8(first).varint(this.length);
    const out = new Uint8Array(head.bytes.length + this.length);
    out.set(head.bytes, 0);
    let at = head.bytes.length;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private flushBytes(): void {
    if (this.bytes.length === 0) return;
    this.parts.push(this.bytes.splice(0));
    this.length += this.parts[this.parts.length - 1]!.length;
  }
}
