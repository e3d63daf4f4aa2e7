import type { Readable } from 'node:stream';
import { Batcher, type BatchLimits } from './batcher.js';
import { BatchSender, PublishingFailed, type PublishPort } from './batch-sender.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';
import { type ProgressState } from './progress.js';
import { judgeLine, RefusalLog, tooLongErrors } from './refusals.js';
import { withRetries, type RetryPolicy, type Sleep } from './retry.js';
import type { IngestReport } from './summary.js';

/** One input: a file, or stdin. */
export interface IngestSource {
  /** How lines of this source are named in refusals: the path given, or `<stdin>`. */
  name: string;
  open(): Readable;
  /** Bytes, when known up front (a regular file). */
  size: number | undefined;
}

export interface IngestRunOptions {
  sources: readonly IngestSource[];
  port: PublishPort;
  limits: BatchLimits;
  maxLineBytes: number;
  retry: RetryPolicy;
  refusals: RefusalLog;
  /** Milliseconds, monotonic. */
  now: () => number;
  sleep: Sleep;
  /** Called after every chunk read; the caller decides whether to print. */
  onProgress?: (state: ProgressState) => void;
  /** Turns a publishing failure into the sentence the user sees (naming the broker/registry). */
  describeFailure: (error: unknown) => string;
}

/**
 * Streams every source through split → parse/validate → batch → publish, one batch in flight
 * (see BatchSender). A refused line never stops the load; a publishing failure (after retries)
 * does, and the report says how far the load got.
 */
export async function runIngest(options: IngestRunOptions): Promise<IngestReport> {
  const startedAt = options.now();
  const sender = new BatchSender(options.port, options.retry, options.sleep);
  const batcher = new Batcher(options.limits);
  const sizes = options.sources.map((source) => source.size);
  const totalBytes = sizes.every((size) => size !== undefined)
    ? sizes.reduce<number>((sum, size) => sum + size, 0)
    : undefined;
  const counts = { lines: 0, accepted: 0, bytesRead: 0 };
  const report = (): IngestReport => ({
    files: options.sources.length,
    lines: counts.lines,
    accepted: counts.accepted,
    published: sender.published,
    refused: options.refusals.count,
    firstRefusals: options.refusals.first,
    elapsedMs: options.now() - startedAt,
  });

  const handle = async (source: IngestSource, split: SplitLine): Promise<void> => {
    counts.lines += 1;
    const position = { file: source.name, line: split.line };
    if (split.kind === 'too-long') {
      await options.refusals.add({
        ...position,
        errors: tooLongErrors(split.bytes, options.maxLineBytes),
      });
      return;
    }
    const outcome = judgeLine(split.text);
    if (!outcome.ok) {
      await options.refusals.add({ ...position, errors: outcome.errors });
      return;
    }
    counts.accepted += 1;
    const full = batcher.add(outcome.valid, split.bytes, position);
    // Waiting here for the batch before it is what pauses reading while Kafka catches up.
    if (full !== undefined) await sender.submit(full);
  };

  try {
    await withRetries(() => options.port.start(), options.retry, options.sleep).catch(
      (error: unknown) => {
        throw new PublishingFailed(error);
      },
    );
    for (const source of options.sources) {
      const splitter = new LineSplitter(options.maxLineBytes);
      for await (const chunk of source.open() as AsyncIterable<unknown>) {
        // A stream in string mode (an injected stdin) yields strings; files yield Buffers.
        const bytes: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        counts.bytesRead += bytes.length;
        for (const split of splitter.push(bytes)) await handle(source, split);
        options.onProgress?.({
          lines: counts.lines,
          refused: options.refusals.count,
          published: sender.published,
          bytesRead: counts.bytesRead,
          totalBytes,
          elapsedMs: options.now() - startedAt,
        });
      }
      for (const split of splitter.end()) await handle(source, split);
    }
    const rest = batcher.flush();
    if (rest !== undefined) await sender.submit(rest);
    await sender.settle();
  } catch (error: unknown) {
    if (!(error instanceof PublishingFailed)) throw error;
    return {
      ...report(),
      failure: { message: options.describeFailure(error.cause), safeThrough: sender.safeThrough },
    };
  }
  return report();
}
