import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { CsError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from './backoff.js';
import type { ConsumerMetrics } from './consumer-metrics.js';
import { deadLetterRecord } from './dead-letter.js';
import type { Delivery } from './delivery.js';
import type { HealthState } from './health.js';
import type { GateChange, InFlightGate, TopicPartition } from './in-flight.js';
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

/**
 * The kafkajs `eachBatch` body. A partition's records are handled strictly in order; every
 * `commitEvery` records, and at the end, the done ones are delivered and committed (see Delivery),
 * and only then resolved in kafkajs — so after any failure kafkajs fetches again from the first
 * record not committed. Records left open (stop, revoke, fatal) are neither committed nor resolved.
 */
export class BatchProcessor<T> {
  constructor(private readonly options: BatchProcessorOptions<T>) {}

  async process(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const tp: TopicPartition = { topic: batch.topic, partition: batch.partition };
    const { metrics, groupId } = this.options;
    if (this.options.stopping()) return;
    const started = performance.now();

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

    let heartbeatError: unknown;
    const mustAbandon = (): boolean =>
      heartbeatError !== undefined ||
      !payload.isRunning() ||
      payload.isStale() ||
      this.options.stopping();
    const wait = async (ms: number): Promise<boolean> => {
      // NOTE: a long backoff must keep heartbeating, or the group evicts this member mid-retry.
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (mustAbandon()) return false;
        await sleep(Math.min(until - Date.now(), this.options.heartbeatIntervalMs, 250));
        try {
          await payload.heartbeat();
        } catch (error) {
          heartbeatError = error;
        }
      }
      return !mustAbandon();
    };

    try {
      let unit = newUnit();
      let fatal: CsError<BatchErrorCode> | undefined;
      for (const message of messages) {
        if (mustAbandon()) break;
        const source = toSourceRecord(tp.topic, tp.partition, message);
        const decision = await routeRecord(source, {
          decode: this.options.decode,
          handle: this.options.handle,
          retry: this.options.retry,
          wait,
          onRetry: () => metrics.retries.inc({ group: groupId, topic: tp.topic }),
        });
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
        try {
          await payload.heartbeat();
        } catch (error) {
          heartbeatError = error;
        }
      }
      // Whatever is done is delivered, also when stopping or revoked: finished work is not redone.
      const wholeBatch = tracker.openCount === 0 ? batch.lastOffset() : undefined;
      await this.#deliver(payload, tracker, unit, wholeBatch);
      release(unit.done);
      if (fatal !== undefined) this.options.onFatal(fatal, tp);
      // NOTE: a rebalance surfaces as a heartbeat error; kafkajs must see it to rejoin the group.
      if (heartbeatError !== undefined) {
        throw heartbeatError instanceof Error
          ? heartbeatError
          : new Error(errorMessage(heartbeatError), { cause: heartbeatError });
      }
    } finally {
      if (messages.length > released) release(messages.length - released);
      metrics.batchDuration.observe({ group: groupId }, (performance.now() - started) / 1000);
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
