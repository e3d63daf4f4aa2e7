import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes lines to a stream in ~1 MiB chunks, waiting for `drain` when the stream asks for it, so
 * a multi-gigabyte workload neither builds up in memory nor pays a syscall per event.
 */
export class LineWriter {
  private failure: Error | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly chunkChars = 1 << 20,
  ) {
    stream.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  async writeLines(lines: readonly string[]): Promise<void> {
    let from = 0;
    let chars = 0;
    for (let i = 0; i < lines.length; i++) {
      chars += (lines[i]?.length ?? 0) + 1;
      if (chars >= this.chunkChars || i === lines.length - 1) {
        await this.write(lines.slice(from, i + 1).join('\n') + '\n');
        from = i + 1;
        chars = 0;
      }
    }
  }

  /** Ends the stream (unless it is shared, like stdout) and waits until the data is flushed. */
  async close(options: { end: boolean }): Promise<void> {
    this.throwIfFailed();
    if (options.end) {
      const finished = once(this.stream, 'finish');
      this.stream.end();
      await finished;
    } else if (this.stream.writableNeedDrain) {
      await once(this.stream, 'drain');
    }
    this.throwIfFailed();
  }

  private async write(chunk: string): Promise<void> {
    this.throwIfFailed();
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
