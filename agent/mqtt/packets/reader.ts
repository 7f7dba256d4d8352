// Reads the fields of one packet's body; running past its end is a MqttProtocolError.
import { decodeUtf8 } from '../../encoding/utf8.ts';
import { MqttProtocolError } from './types.ts';

export class ByteReader {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  get left(): number {
    return this.bytes.length - this.at;
  }

  get offset(): number {
    return this.at;
  }

  fail(why: string): never {
    throw new MqttProtocolError(`malformed ${this.what}: ${why}`);
  }

  private need(n: number): void {
    if (this.left < n) this.fail('truncated');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const value = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    this.at += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const value =
      b[this.at]! * 0x1000000 +
      ((b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!);
    this.at += 4;
    return value;
  }

  varint(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      value += (b & 0x7f) * 128 ** i;
      if ((b & 0x80) === 0) return value;
    }
    return this.fail('variable byte integer longer than 4 bytes');
  }

  bytesOf(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  binary(): Uint8Array {
    return this.bytesOf(this.u16());
  }

  /** A length-prefixed string; invalid UTF-8 becomes U+FFFD (see decode.ts for why). */
  string(): string {
    return decodeUtf8(this.binary());
  }

  /** What is left of the packet. */
  rest(): Uint8Array {
    return this.bytesOf(this.left);
  }

  end(): void {
    if (this.left !== 0) this.fail(`${this.left} bytes too many`);
  }
}
