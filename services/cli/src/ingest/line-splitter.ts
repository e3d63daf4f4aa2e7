/**
 * Splits a byte stream into numbered NDJSON lines without ever holding more than one line (plus
 * one chunk) in memory, so a file of any size streams through. Works on bytes, not strings: a
 * multi-byte UTF-8 character split across two chunks is only decoded once its line is whole, and
 * line sizes are counted in bytes, as the refusal message says.
 */

export type SplitLine =
  /** A non-blank line: its 1-based number in the file, its text (no `\n`, no `\r`), its bytes. */
  | { kind: 'line'; line: number; text: string; bytes: number }
  /** A line longer than the limit: refused without being decoded (its bytes were discarded). */
  | { kind: 'too-long'; line: number; bytes: number };

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while skipping the rest of a line already known to be too long. */
  private overflowing = false;
  private lineNumber = 0;
  private atStart = true;

  constructor(private readonly maxLineBytes: number) {}

  /** The lines completed by `chunk`, in order. Blank lines are numbered but not returned. */
  push(chunk: Buffer): SplitLine[] {
    let data = chunk;
    if (this.atStart) {
      // A UTF-8 byte order mark (what some editors write) is not part of the first JSON value.
      if (data.length < BOM.length && BOM.subarray(0, data.length).equals(data)) {
        this.keep(data);
        return [];
      }
      data = this.pendingBytes > 0 ? Buffer.concat([...this.pending, data]) : data;
      this.pending = [];
      this.pendingBytes = 0;
      if (data.subarray(0, BOM.length).equals(BOM)) data = data.subarray(BOM.length);
      this.atStart = false;
    }
    const out: SplitLine[] = [];
    let from = 0;
    for (;;) {
      const newline = data.indexOf(LF, from);
      if (newline === -1) break;
      this.finishLine(data.subarray(from, newline), out);
      from = newline + 1;
    }
    if (from < data.length) this.keep(data.subarray(from));
    return out;
  }

  /** The last line when the input does not end with a newline. */
  end(): SplitLine[] {
    const out: SplitLine[] = [];
    if (this.pendingBytes > 0 || this.overflowing) this.finishLine(Buffer.alloc(0), out);
    return out;
  }

  /** Lines seen so far, blank ones included: the number of the last line completed. */
  get lines(): number {
    return this.lineNumber;
  }

  private keep(part: Buffer): void {
    if (this.overflowing) {
      this.pendingBytes += part.length;
      return;
    }
    // NOTE: copy, because the stream may reuse the chunk's memory once push() returns.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxLineBytes + 1) {
      // The line can no longer fit (one byte of slack for a `\r`): drop what was kept, count on.
      this.pending = [];
      this.overflowing = true;
    }
  }

  private finishLine(tail: Buffer, out: SplitLine[]): void {
    this.lineNumber += 1;
    const line = this.lineNumber;
    const total = this.pendingBytes + tail.length;
    if (this.overflowing) {
      out.push({ kind: 'too-long', line, bytes: total });
      this.reset();
      return;
    }
    let bytes = this.pending.length === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.reset();
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
    if (bytes.length > this.maxLineBytes) {
      out.push({ kind: 'too-long', line, bytes: bytes.length });
      return;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') return;
    out.push({ kind: 'line', line, text, bytes: bytes.length });
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.overflowing = false;
  }
}
