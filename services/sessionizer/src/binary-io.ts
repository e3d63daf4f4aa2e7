/**
 * The varint byte writer and reader behind the state codec. Integers are unsigned LEB128 (7 bits
 * per byte) up to 2^53, using arithmetic rather than bit operators, which stop at 32 bits; signed
 * values are zigzag-mapped first. Strings are a byte length then UTF-8.
 */

export class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialBytes = 256) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length] = value;
    this.length += 1;
  }

  unsigned(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`not an unsigned safe integer: ${value}`);
    }
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) + 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  signed(value: number): void {
    this.unsigned(value < 0 ? -value * 2 - 1 : value * 2);
  }

  string(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.unsigned(bytes);
    this.reserve(bytes);
    this.buffer.write(value, this.length, 'utf8');
    this.length += bytes;
  }

  /** A copy of the bytes written, sized exactly. */
  finish(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}

/** Thrown for any byte sequence that does not decode; the codec wraps it with context. */
export class TruncatedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TruncatedError';
  }
}

export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  byte(): number {
    const value = this.buffer[this.offset];
    if (value === undefined) throw new TruncatedError(`truncated at byte ${this.offset}`);
    this.offset += 1;
    return value;
  }

  unsigned(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const next = this.byte();
      value += (next % 0x80) * scale;
      if (next < 0x80) break;
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) throw new TruncatedError('varint longer than 2^53');
    }
    return value;
  }

  signed(): number {
    const zigzag = this.unsigned();
    return zigzag % 2 === 1 ? -(zigzag + 1) / 2 : zigzag / 2;
  }

  string(): string {
    const bytes = this.unsigned();
    if (bytes > this.remaining) throw new TruncatedError(`string of ${bytes} bytes is truncated`);
    const value = this.buffer.toString('utf8', this.offset, this.offset + bytes);
    this.offset += bytes;
    return value;
  }
}
