import type { KafkaMessage } from 'kafkajs';
import { CsError, errorMessage, type HealthState, type Logger } from '@cs/runtime';
import {
  dedupToken,
  encodeRangeMetadata,
  PartitionBatcher,
  type FormedBatch,
  type OffsetRange,
} from './batch-range.js';
import type { FactWriter } from './clickhouse-writer.js';
import type { FactTable } from './fact-tables.js';
import { Abandoned, retryUntilDone, type RetryLoopOptions } from './retry-loop.js';
import type { FactRow } from './row-mapping.js';
import type { SinkMetrics } from './sink-metrics.js';

/** What one batch becomes: rows for the topic's table, and rows the sink refused (dead letters). */
export interface BatchRows {
  readonly rows: FactRow[];
  readonly refused: FactRow[];
}

/** Turns a batch's records into rows; throws a retriable error when it cannot tell yet. */
export type RowBuilder = (
  topic: string,
  partition: number,
  records: readonly KafkaMessage[],
) => Promise<BatchRows>;

export interface CommitRequest {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly metadata: string | null;
}

export interface PartitionLaneDeps {
  readonly topic: string;
  readonly partition: number;
  readonly table: FactTable;
  readonly groupId: string;
  readonly batcher: PartitionBatcher<KafkaMessage>;
  readonly buildRows: RowBuilder;
  readonly writer: FactWriter;
  readonly commit: (request: CommitRequest) => Promise<void>;
  readonly metrics: SinkMetrics;
  readonly health: HealthState;
  readonly logger: Logger;
  readonly retry: RetryLoopOptions['policy'];
  /** True once the whole sink is stopping: cut batches from whatever is buffered. */
  readonly draining: () => boolean;
  /** Batches being written by every lane of the sink (this one's included while it writes). */
  readonly writing: { count: number };
  /** Called after each committed batch (backpressure, gauges). */
  readonly onCommitted: () => void;
}

/**
 * One assigned partition: buffers its records and writes them batch by batch, strictly in order:
 *
 * 1. the batch's offset range is fixed (or re-formed exactly from the recorded one);
 * 2. the range is recorded as the metadata of an offset commit AT ITS FIRST OFFSET;
 * 3. the rows are inserted with the token `<table>:<topic>:<partition>:<first>-<last>`;
 * 4. the offset after the range is committed (metadata cleared).
 *
 * A crash anywhere leaves either no recorded range (nothing was inserted: a fresh batch is safe)
 * or a recorded one (re-formed exactly, re-inserted with the same token: a no-op if it was
 * stored). Each step is retried with backoff until it succeeds or the lane is closed.
 */
export class PartitionLane {
  #closed = false;
  #running: Promise<void> | undefined;
  #highWatermark: string | undefined;

  constructor(private readonly deps: PartitionLaneDeps) {}

  get key(): string {
    return `${this.deps.topic}:${this.deps.partition}`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get buffered(): number {
    return this.deps.batcher.buffered;
  }

  /** Buffers fetched records; returns the last offset taken (to resolve in kafkajs), if any. */
  add(messages: readonly KafkaMessage[], highWatermark: string, now: number): string | undefined {
    if (this.#closed) return undefined;
    this.#highWatermark = highWatermark;
    let last: string | undefined;
    for (const message of messages) {
      this.deps.batcher.add(message.offset, message, now);
      last = message.offset;
    }
    this.kick();
    return last;
  }

  /**
   * kafkajs fetched only offsets without rows through `lastOffset` (a transaction's commit marker,
   * aborted records) and filtered them out: commit past them once the lane is otherwise idle, or
   * the partition would show a lag of 1 for ever after each transaction.
   */
  pass(lastOffset: string, highWatermark: string): void {
    if (this.#closed) return;
    this.#highWatermark = highWatermark;
    this.deps.batcher.pass(lastOffset);
    this.kick();
  }

  /** Starts writing if a batch is ready and nothing is in flight (else commits passed markers). */
  kick(): void {
    if (this.#closed || this.#running !== undefined) return;
    const { batcher, draining, writing } = this.deps;
    const batch = batcher.take(Date.now(), draining(), writing.count === 0);
    const step =
      batch !== undefined ? this.#write(batch) : this.#commitPassed(batcher.idleCommit());
    if (step === undefined) return;
    this.#running = step.finally(() => {
      this.#running = undefined;
      this.kick();
    });
  }

  /** Resolves once nothing is buffered (or the lane closed). */
  async idle(): Promise<void> {
    while (!this.#closed && (this.#running !== undefined || this.deps.batcher.buffered > 0)) {
      this.kick();
      await (this.#running ?? new Promise((resolve) => setTimeout(resolve, 20)));
    }
  }

  /**
   * Stops for good (revoked, rebalanced, stopping): no further step starts; resolves once the step
   * in flight has ended. Buffered records are simply forgotten: they were never committed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }

  async #write(batch: FormedBatch<KafkaMessage>): Promise<void> {
    const { topic, partition, table, groupId, metrics, writing } = this.deps;
    const { range } = batch;
    // NOTE: counted before the first await, so a lane kicked right after this one sees it.
    writing.count += 1;
    try {
      const built = await this.#retry('decode', () =>
        this.deps.buildRows(
          topic,
          partition,
          batch.records.map((item) => item.message),
        ),
      );
      if (!batch.replay) {
        // NOTE: the range must be durable BEFORE any row of it can reach ClickHouse; otherwise a
        // crash could leave rows stored under a token no later run would form again.
        await this.#retry('kafka-commit', () =>
          this.deps.commit({
            topic,
            partition,
            offset: range.first,
            metadata: encodeRangeMetadata(range),
          }),
        );
      }
      await this.#insert(table, built.rows, range, batch.replay);
      await this.#insert('dead_letters', built.refused, range, batch.replay);
      const next = this.deps.batcher.commitAfter(range);
      await this.#retry('kafka-commit', () =>
        this.deps.commit({ topic, partition, offset: next, metadata: null }),
      );
      this.deps.batcher.complete(next);
      metrics.batches.inc({ group: groupId, topic });
      metrics.consumer.recordsIn.inc({ group: groupId, topic }, batch.records.length);
      metrics.consumer.commits.inc({ group: groupId, mode: 'sink' });
      this.#setLag(next);
      if (batch.replay) {
        this.deps.logger.info('re-inserted a recorded range', { topic, partition, ...range });
      }
      this.deps.onCommitted();
    } catch (error) {
      if (error instanceof Abandoned) return;
      // Not reachable by design (every step retries until done or abandoned); stop this lane
      // rather than write a later batch over a hole.
      this.#closed = true;
      this.deps.health.set(`lane ${this.key}`, 'error', errorMessage(error));
      this.deps.logger.error('partition lane failed', { topic, partition, error });
    } finally {
      writing.count -= 1;
    }
  }

  /** Commits past passed-over markers (empty metadata: no range is recorded then), if any. */
  #commitPassed(offset: string | undefined): Promise<void> | undefined {
    if (offset === undefined) return undefined;
    const { topic, partition, groupId, metrics } = this.deps;
    return (async () => {
      try {
        await this.#retry('kafka-commit', () =>
          this.deps.commit({ topic, partition, offset, metadata: null }),
        );
        this.deps.batcher.passCommitted(offset);
        metrics.consumer.commits.inc({ group: groupId, mode: 'sink' });
        this.#setLag(offset);
      } catch (error) {
        if (error instanceof Abandoned) return;
        this.#closed = true;
        this.deps.health.set(`lane ${this.key}`, 'error', errorMessage(error));
        this.deps.logger.error('partition lane failed', { topic, partition, error });
      }
    })();
  }

  #setLag(next: string): void {
    if (this.#highWatermark === undefined) return;
    const { topic, partition, groupId, metrics } = this.deps;
    const lag = BigInt(this.#highWatermark) - BigInt(next);
    metrics.consumer.lag.set(
      { group: groupId, topic, partition: String(partition) },
      Number(lag > 0n ? lag : 0n),
    );
  }

  async #insert(
    table: FactTable,
    rows: FactRow[],
    range: OffsetRange,
    replay: boolean,
  ): Promise<void> {
    if (rows.length === 0) return;
    const { topic, partition, groupId, metrics } = this.deps;
    const token = dedupToken(table, topic, partition, range);
    await this.#retry('clickhouse', async () => {
      const started = performance.now();
      try {
        await this.deps.writer.insert(table, rows, token);
      } catch (error) {
        metrics.insertFailures.inc({ group: groupId, table });
        throw error;
      }
      metrics.insertDuration.observe(
        { group: groupId, table },
        (performance.now() - started) / 1000,
      );
    });
    (replay ? metrics.rowsReplayed : metrics.rowsInserted).inc(
      { group: groupId, table },
      rows.length,
    );
  }

  /** One step, retried for ever with backoff; health is degraded (named by `what`) meanwhile. */
  async #retry<T>(what: string, step: () => Promise<T>): Promise<T> {
    const { health, logger, topic, partition } = this.deps;
    const result = await retryUntilDone(step, {
      policy: this.deps.retry,
      abandoned: () => this.#closed,
      onFailure: (error, attempt, delayMs) => {
        const permanent = error instanceof CsError && !error.retriable;
        health.set(
          what,
          permanent ? 'error' : 'degraded',
          `${topic}:${partition}: ${errorMessage(error)}`,
        );
        const fields = { topic, partition, attempt, delayMs, error };
        if (attempt === 1 || attempt % 10 === 0) logger.warn(`${what} failed; retrying`, fields);
        else logger.debug(`${what} failed; retrying`, fields);
      },
    });
    health.clear(what);
    return result;
  }
}
