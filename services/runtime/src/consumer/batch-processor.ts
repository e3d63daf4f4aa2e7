import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { CsError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from './backoff.js';
import type { ConsumerMetrics } from './consumer-metrics.js';
import { deadLetterRecord } from './dead-letter.js';
import type { CommitOffsets, Delivery } from './delivery.js';
import type { HealthState } from './health.js';
import {
  partitionKey,
  type GateChange,
  type InFlightGate,
  type TopicPartition,
} from './in-flight.js';
import { OffsetTracker } from './offset-tracker.js';
import type { OutputRecord, RecordDecoder, RecordHandler, SourceRecord } from './outcome.js';
import { routeRecord } from './record-routing.js';

export type BatchErrorCode = 'RETRIES_EXHAUSTED';

export interface BatchProcessorOptions<T> {
  readonly groupId: string;
  readonly dlqTopic: string;
  readonly commitEvery: number;
  readonly heartbeatIntervalMs: number;
  readonly retry: RetryPolicy;
  readonly decode: RecordDecoder<T>;
  readonly handle: RecordHandler<T>;
  /** Records a processor adds to each commit unit of `tp` (see ConsumerShellOptions.beforeDeliver). */
  readonly beforeDeliver?: (tp: TopicPartition) => readonly OutputRecord[];
  readonly delivery: Delivery;
  readonly gate: InFlightGate;
  readonly metrics: ConsumerMetrics;
  readonly health: HealthState;
  readonly logger: Logger;
  /** Applies pause/resume decisions of the gate to the consumer. */
  readonly applyGate: (change: GateChange) => void;
  /** True once the shell is stopping or halted: finish the record at hand, start no other. */
  readonly stopping: () => boolean;
  /** Retries exhausted under the `stop` policy: the shell halts with error health. */
  readonly onFatal: (error: CsError<BatchErrorCode>, tp: TopicPartition) => void;
}

/** One commit unit: what the done records of a stretch of the batch produce. */
interface Unit {
  records: OutputRecord[];
  done: number;
  dlq: Map<string, number>;
  dropped: number;
}

const newUnit = (): Unit => ({ records: [], done: 0, dlq: new Map(), dropped: 0 });

export function toSourceRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
): SourceRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A fetch of one partition that kafkajs emptied by filtering (see filteredThrough). */
export interface FilteredFetch extends TopicPartition {
  /** The last offset the fetch covered: a transaction marker or an aborted record. */
  readonly through: string;
  readonly highWatermark: string;
}

/**
 * The kafkajs `eachBatch` body. A partition's records are handled strictly in order; every
 * `commitEvery` records, and at the end, the done ones are delivered and committed (see Delivery),
 * and only then resolved in kafkajs — so after any failure kafkajs fetches again from the first
 * record not committed. Records left open (stop, revoke, fatal) are neither committed nor resolved.
 *
 * NOTE: while a batch is processed (a record's handler may restore state for longer than the
 * session timeout; the partition may be (re)claimed first), the group is heartbeated in the
 * background every `heartbeatIntervalMs` — as the Java client's heartbeat thread does; kafkajs
 * only heartbeats between the calls it makes itself. A heartbeat that reports a rebalance ends
 * the batch after the record at hand.
 */
export class BatchProcessor<T> {
  /** Per partition, the commit past a filtered fetch still under way (see passFiltered). */
  readonly #passes = new Map<string, Promise<void>>();

  constructor(private readonly options: BatchProcessorOptions<T>) {}

  /**
   * Commits past a fetch that kafkajs emptied by filtering (only transaction markers or aborted
   * records) and therefore never hands to eachBatch; it has already moved its own position past
   * them. Exactly-once: a transaction holding only the offset, on the partition's transactional
   * producer (claimed first, so a zombie is fenced and an offset a previous owner committed
   * beyond is kept); at-least-once: a plain commit with `commit`. Never concurrent with a batch of
   * the same partition: the partition's next batch waits for it. A failure is logged only: the
   * partition's next delivery commits past it anyway, and a new owner fetches the markers again.
   */
  passFiltered(fetch: FilteredFetch, commit: CommitOffsets): Promise<void> {
    const key = partitionKey(fetch);
    const previous = this.#passes.get(key) ?? Promise.resolve();
    const pass = previous.then(() => this.#pass(fetch, commit));
    const settled = pass.catch((error: unknown) => {
      this.options.logger.warn('committing past a filtered fetch failed', {
        topic: fetch.topic,
        partition: fetch.partition,
        through: fetch.through,
        error: errorMessage(error),
      });
    });
    this.#passes.set(key, settled);
    void settled.finally(() => {
      if (this.#passes.get(key) === settled) this.#passes.delete(key);
    });
    return settled;
  }

  /** Resolves once no commit past a filtered fetch is under way (before the producers close). */
  async passesSettled(): Promise<void> {
    while (this.#passes.size > 0) await Promise.all(this.#passes.values());
  }

  async #pass(fetch: FilteredFetch, commit: CommitOffsets): Promise<void> {
    if (this.options.stopping()) return;
    const { delivery, metrics, groupId } = this.options;
    const tp: TopicPartition = { topic: fetch.topic, partition: fetch.partition };
    const next = BigInt(fetch.through) + 1n;
    const claimedAt = await delivery.prepare(tp);
    if (claimedAt !== undefined && BigInt(claimedAt) >= next) return;
    await delivery.deliver({ ...tp, records: [], nextOffset: next.toString() }, commit);
    metrics.commits.inc({ group: groupId, mode: delivery.mode });
    const lag = BigInt(fetch.highWatermark) - next;
    metrics.lag.set(
      { group: groupId, topic: tp.topic, partition: String(tp.partition) },
      Number(lag > 0n ? lag : 0n),
    );
  }

  async process(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    const { metrics, groupId } = this.options;
    await this.#passes.get(partitionKey(tp));
    if (this.options.stopping()) return;
    const started = performance.now();

    let heartbeatError: unknown;
    const heartbeat = async (): Promise<void> => {
      try {
        await payload.heartbeat();
      } catch (error) {
        heartbeatError ??= error;
      }
    };
    // One background heartbeat for the whole batch (claim, records, deliveries): cheaper than a
    // timer per record, and it also covers a long handler call or a slow transaction.
    const heartbeats = setInterval(() => void heartbeat(), this.options.heartbeatIntervalMs);
    try {
      await this.#processBatch(payload, tp, heartbeat, () => heartbeatError);
    } finally {
      clearInterval(heartbeats);
      metrics.batchDuration.observe({ group: groupId }, (performance.now() - started) / 1000);
    }
  }

  async #processBatch(
    payload: EachBatchPayload,
    tp: TopicPartition,
    heartbeat: () => Promise<void>,
    heartbeatError: () => unknown,
  ): Promise<void> {
    const { batch } = payload;
    const { metrics, groupId } = this.options;
    let messages = batch.messages;
    const claimedAt = await this.options.delivery.prepare(tp);
    if (claimedAt !== undefined) {
      const skipped = messages.filter((message) => BigInt(message.offset) < BigInt(claimedAt));
      const lastSkipped = skipped.at(-1);
      if (lastSkipped !== undefined) {
        payload.resolveOffset(lastSkipped.offset);
        metrics.skippedAfterFence.inc({ group: groupId, topic: tp.topic }, skipped.length);
        this.options.logger.warn('skipped records a previous owner committed', {
          ...tp,
          count: skipped.length,
        });
        messages = messages.slice(skipped.length);
      }
    }
    if (messages.length === 0) return;

    const tracker = new OffsetTracker();
    tracker.receive(messages.map((message) => message.offset));
    this.options.applyGate(this.options.gate.add(tp, messages.length));
    this.#updateGauges();
    let released = 0;
    const release = (count: number): void => {
      released += count;
      this.options.applyGate(this.options.gate.release(tp, count));
      this.#updateGauges();
    };

    const mustAbandon = (): boolean =>
      heartbeatError() !== undefined ||
      !payload.isRunning() ||
      payload.isStale() ||
      this.options.stopping();
    const wait = async (ms: number): Promise<boolean> => {
      // NOTE: a long backoff must keep heartbeating, or the group evicts this member mid-retry.
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (mustAbandon()) return false;
        await sleep(Math.min(until - Date.now(), this.options.heartbeatIntervalMs, 250));
        await heartbeat();
      }
      return !mustAbandon();
    };

    try {
      let unit = newUnit();
      let fatal: CsError<BatchErrorCode> | undefined;
      const routing = {
        decode: this.options.decode,
        handle: this.options.handle,
        retry: this.options.retry,
        wait,
        onRetry: () => metrics.retries.inc({ group: groupId, topic: tp.topic }),
      };
      for (const message of messages) {
        if (mustAbandon()) break;
        const source = toSourceRecord(tp.topic, tp.partition, message);
        const decision = await routeRecord(source, routing);
        if (decision.kind === 'abandon') break;
        if (decision.kind === 'stop') {
          fatal = new CsError<BatchErrorCode>(
            'RETRIES_EXHAUSTED',
            `${tp.topic}:${tp.partition} offset ${message.offset}: ${decision.reason}`,
          );
          break;
        }
        if (decision.kind === 'ok') unit.records.push(...decision.outputs, ...decision.changelog);
        if (decision.kind === 'dlq') {
          unit.records.push(deadLetterRecord(source, decision, this.options.dlqTopic));
          unit.dlq.set(decision.step, (unit.dlq.get(decision.step) ?? 0) + 1);
        }
        if (decision.kind === 'drop') unit.dropped += 1;
        tracker.markDone(message.offset);
        unit.done += 1;
        if (unit.done >= this.options.commitEvery) {
          await this.#deliver(payload, tracker, unit, undefined);
          release(unit.done);
          unit = newUnit();
        }
      }
      // Whatever is done is delivered, also when stopping or revoked: finished work is not redone.
      const wholeBatch = tracker.openCount === 0 ? batch.lastOffset() : undefined;
      await this.#deliver(payload, tracker, unit, wholeBatch);
      release(unit.done);
      if (fatal !== undefined) this.options.onFatal(fatal, tp);
      // NOTE: a rebalance surfaces as a heartbeat error; kafkajs must see it to rejoin the group.
      const failed = heartbeatError();
      if (failed !== undefined) {
        throw failed instanceof Error ? failed : new Error(errorMessage(failed), { cause: failed });
      }
    } finally {
      if (messages.length > released) release(messages.length - released);
    }
  }

  async #deliver(
    payload: EachBatchPayload,
    tracker: OffsetTracker,
    unit: Unit,
    wholeBatchLastOffset: string | undefined,
  ): Promise<void> {
    const { batch } = payload;
    const { metrics, groupId, delivery } = this.options;
    let next = tracker.committable();
    if (next === undefined) return;
    // NOTE: on a transactional input topic the batch ends with a commit marker that kafkajs filters
    // out; committing past it (batch.lastOffset() + 1) keeps the lag at 0 instead of 1.
    if (wholeBatchLastOffset !== undefined && BigInt(wholeBatchLastOffset) + 1n > BigInt(next)) {
      next = (BigInt(wholeBatchLastOffset) + 1n).toString();
    }
    try {
      const added = this.options.beforeDeliver?.({
        topic: batch.topic,
        partition: batch.partition,
      });
      if (added !== undefined) for (const record of added) unit.records.push(record);
      await delivery.deliver(
        { topic: batch.topic, partition: batch.partition, records: unit.records, nextOffset: next },
        (offsets) => payload.commitOffsetsIfNecessary(offsets),
      );
    } catch (error) {
      metrics.deliveryFailures.inc({ group: groupId });
      this.options.health.set(
        'delivery',
        'degraded',
        error instanceof Error ? error.message : String(error),
      );
      this.options.logger.error('delivery failed; the batch will be delivered again', { error });
      throw error;
    }
    this.options.health.clear('delivery');
    tracker.markCommitted(next);
    const lastDone = tracker.lastDone();
    if (lastDone !== undefined) payload.resolveOffset(lastDone);

    metrics.commits.inc({ group: groupId, mode: delivery.mode });
    metrics.recordsIn.inc({ group: groupId, topic: batch.topic }, unit.done);
    // Counted per topic first: a label lookup per output record costs more than the record.
    const outByTopic = new Map<string, number>();
    for (const record of unit.records) {
      if (record.topic === this.options.dlqTopic) continue;
      outByTopic.set(record.topic, (outByTopic.get(record.topic) ?? 0) + 1);
    }
    for (const [topic, count] of outByTopic)
      metrics.recordsOut.inc({ group: groupId, topic }, count);
    for (const [step, count] of unit.dlq)
      metrics.dlq.inc({ group: groupId, topic: batch.topic, step }, count);
    if (unit.dropped > 0) metrics.dropped.inc({ group: groupId, topic: batch.topic }, unit.dropped);
    const lag = BigInt(batch.highWatermark) - BigInt(next);
    metrics.lag.set(
      { group: groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(lag > 0n ? lag : 0n),
    );
  }

  #updateGauges(): void {
    const { metrics, groupId, gate } = this.options;
    metrics.inFlight.set({ group: groupId }, gate.total);
    metrics.pausedPartitions.set({ group: groupId }, gate.pausedCount);
  }
}
