import type { Admin, Kafka, Message, Offsets, Producer, TopicMessages } from 'kafkajs';
import { CsError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { partitionKey, type TopicPartition } from './in-flight.js';
import type { OutputRecord } from './outcome.js';

export type DeliveryErrorCode = 'DELIVERY_FAILED';

/** What one commit unit delivers: its records (outputs, changelog, dead letters) and the next input offset. */
export interface DeliveryUnit extends TopicPartition {
  readonly records: readonly OutputRecord[];
  readonly nextOffset: string;
}

/** A plain (non-transactional) offset commit, in the current group generation. */
export type CommitOffsets = (offsets: Offsets) => Promise<void>;

/**
 * How outputs and input offsets reach Kafka. Both modes deliver a unit entirely or throw; a throw
 * leaves the input offset uncommitted, so the unit's records are delivered again.
 */
export interface Delivery {
  readonly mode: 'at-least-once' | 'exactly-once';
  /**
   * Called before a partition's batch is handled. Exactly-once returns the committed offset read
   * when it (re)claimed the partition, until this member commits the partition itself: records
   * below it were already committed by a previous owner.
   */
  prepare(tp: TopicPartition): Promise<string | undefined>;
  deliver(unit: DeliveryUnit, commit: CommitOffsets): Promise<void>;
  /** A new group generation with these partitions. */
  assigned(partitions: readonly TopicPartition[]): void;
  close(): Promise<void>;
}

export function toKafkaMessages(records: readonly OutputRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    messages.push({
      key: record.key,
      value: record.value,
      ...(record.headers === undefined ? {} : { headers: { ...record.headers } }),
      ...(record.partition === undefined ? {} : { partition: record.partition }),
    });
    byTopic.set(record.topic, messages);
  }
  return [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Bytes of records per produce request. NOTE: kafkajs puts all of a request's records for one
 * partition into one record batch, and the broker refuses a batch above `message.max.bytes`
 * (1 MiB by default) with MESSAGE_TOO_LARGE — a unit of a few thousand records would then fail on
 * every redelivery. Half of that default leaves room for the per-record framing estimated below.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;
/**
 * Records per produce request; in practice MAX_REQUEST_BYTES ends a request first. (Unpatched,
 * kafkajs grouped a request by partition in quadratic time, which kept requests at ~2,000 records;
 * patches/kafkajs+2.2.4.patch makes that linear.)
 */
export const MAX_REQUEST_RECORDS = 10_000;
/** Record framing beyond key, value and headers (length, attributes, deltas, header counts). */
const RECORD_OVERHEAD_BYTES = 24;

const byteLength = (data: Buffer | string | null): number =>
  data === null ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length;

function recordBytes(record: OutputRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value);
  if (record.headers !== undefined) {
    for (const [name, value] of Object.entries(record.headers)) {
      bytes += Buffer.byteLength(name) + byteLength(value) + 8;
    }
  }
  return bytes;
}

/**
 * Splits a unit's records, in order, into produce requests of at most `maxBytes` and `maxRecords`
 * (a single record larger than `maxBytes` gets a request of its own). Order per partition is kept: the requests are sent one after
 * the other, and a record never moves to an earlier request than one before it.
 */
export function chunkRecords(
  records: readonly OutputRecord[],
  maxBytes: number = MAX_REQUEST_BYTES,
  maxRecords: number = MAX_REQUEST_RECORDS,
): OutputRecord[][] {
  const chunks: OutputRecord[][] = [];
  let chunk: OutputRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (chunk.length > 0 && (bytes + size > maxBytes || chunk.length >= maxRecords)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function offsetsOf(unit: DeliveryUnit): Offsets {
  return {
    topics: [
      { topic: unit.topic, partitions: [{ partition: unit.partition, offset: unit.nextOffset }] },
    ],
  };
}

function deliveryFailed(
  unit: DeliveryUnit,
  step: string,
  cause: unknown,
): CsError<DeliveryErrorCode> {
  return new CsError<DeliveryErrorCode>(
    'DELIVERY_FAILED',
    `${step} failed for ${unit.topic}:${unit.partition} up to offset ${unit.nextOffset}: ${errorMessage(cause)}`,
    { cause, retriable: true },
  );
}

interface ProducerSettings {
  readonly allowAutoTopicCreation: boolean;
  readonly retries: number;
}

/**
 * The first retry of a produce or transaction request, in ms (kafkajs: 300, then doubling).
 * NOTE: the broker refuses a transaction's first AddPartitionsToTxn with CONCURRENT_TRANSACTIONS
 * while the previous transaction's markers are still being written — after about every other
 * commit here — so the first retry's wait is paid per batch; the Java client waits 20 ms.
 */
export const PRODUCER_FIRST_RETRY_MS = 20;

const retryOf = (settings: ProducerSettings) => ({
  retries: settings.retries,
  initialRetryTime: PRODUCER_FIRST_RETRY_MS,
});

/**
 * At-least-once: one idempotent producer (acks=all); a unit's records are produced and acknowledged,
 * then its offset is committed. A crash between the two delivers the unit again (duplicates, never
 * loss).
 */
export class AtLeastOnceDelivery implements Delivery {
  readonly mode = 'at-least-once';
  readonly #producer: Producer;
  #connected: Promise<void> | undefined;

  constructor(kafka: Kafka, settings: ProducerSettings) {
    this.#producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: settings.allowAutoTopicCreation,
      retry: retryOf(settings),
    });
  }

  prepare(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  async deliver(unit: DeliveryUnit, commit: CommitOffsets): Promise<void> {
    if (unit.records.length > 0) {
      try {
        await (this.#connected ??= this.#producer.connect());
        for (const chunk of chunkRecords(unit.records)) {
          await this.#producer.sendBatch({ acks: -1, topicMessages: toKafkaMessages(chunk) });
        }
      } catch (error) {
        throw deliveryFailed(unit, 'produce', error);
      }
    }
    try {
      await commit(offsetsOf(unit));
    } catch (error) {
      throw deliveryFailed(unit, 'offset commit', error);
    }
  }

  assigned(): void {
    // Nothing to fence: at-least-once tolerates the duplicates a zombie could write.
  }

  async close(): Promise<void> {
    // NOTE: kafkajs does not buffer sends (every send is awaited), so disconnect is the flush.
    if (this.#connected !== undefined) await this.#producer.disconnect();
  }
}

interface PartitionProducer {
  readonly producer: Producer;
  readonly generation: number;
  busy: boolean;
  retired: boolean;
  /**
   * The committed offset read right after this producer fenced the previous owner, until this
   * member commits the partition itself: records below it were already committed by someone else.
   */
  claimedAt: string | undefined;
}

/**
 * Exactly-once: per unit one Kafka transaction holding the outputs, changelog, dead letters and the
 * input offset (`sendOffsets`), then `commit()`; any failure aborts and the unit is delivered again.
 *
 * NOTE: kafkajs commits transactional offsets with TxnOffsetCommit v0/v1, which carry no group
 * generation or member id, so the broker cannot fence a zombie by group membership (KIP-447).
 * Fencing therefore rests on the transactional id: one producer per input partition, with the id
 * `<prefix>-<topic>-<partition>`, the same whichever instance owns the partition. The new owner's
 * InitProducerId bumps the epoch — the previous owner's open transaction is aborted and its later
 * writes are rejected — and only then is the committed offset read, so records a zombie committed
 * just before being fenced are skipped instead of processed twice.
 *
 * NOTE: the first `prepare` of a generation first re-initialises the producers of EVERY partition
 * assigned in it (in parallel), not just its own: until then a dead owner's open transactions keep
 * the last stable offset of the changelog partitions they wrote, and a state restore of any
 * partition (which reads up to that offset) must not depend on when another partition's first
 * batch happens to arrive.
 */
export class TransactionalDelivery implements Delivery {
  readonly mode = 'exactly-once';
  readonly #producers = new Map<string, PartitionProducer>();
  #generation = 0;
  #assigned: readonly TopicPartition[] = [];
  #claiming: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: ProducerSettings & {
      readonly groupId: string;
      readonly transactionalIdPrefix: string;
      readonly logger: Logger;
    },
  ) {}

  transactionalId(tp: TopicPartition): string {
    return `${this.options.transactionalIdPrefix}-${tp.topic}-${tp.partition}`;
  }

  async prepare(tp: TopicPartition): Promise<string | undefined> {
    await (this.#claiming ??= this.#claimAssigned());
    const entry = this.#current(tp) ?? (await this.#claim(tp));
    return entry.claimedAt;
  }

  #current(tp: TopicPartition): PartitionProducer | undefined {
    const entry = this.#producers.get(partitionKey(tp));
    return entry !== undefined && entry.generation === this.#generation && !entry.retired
      ? entry
      : undefined;
  }

  /** Fences the previous owners of every partition of this generation not claimed yet. */
  async #claimAssigned(): Promise<void> {
    const pending = this.#assigned.filter((tp) => this.#current(tp) === undefined);
    const results = await Promise.allSettled(pending.map((tp) => this.#claim(tp)));
    results.forEach((result, i) => {
      // The partition's own prepare claims it again (and fails its batch if that fails too).
      if (result.status === 'rejected') {
        this.options.logger.warn('re-initialising a transactional producer failed', {
          partition: pending[i],
          error: errorMessage(result.reason),
        });
      }
    });
  }

  async #claim(tp: TopicPartition): Promise<PartitionProducer> {
    const key = partitionKey(tp);
    const generation = this.#generation;
    const previous = this.#producers.get(key);
    if (previous !== undefined) await this.#discard(key, previous);

    const producer = this.kafka.producer({
      transactionalId: this.transactionalId(tp),
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: this.options.allowAutoTopicCreation,
      retry: retryOf(this.options),
    });
    await producer.connect();
    // NOTE: kafkajs runs InitProducerId lazily, in the first transaction(); an empty transaction
    // ended at once sends no EndTxn but leaves the producer initialised — and the zombie fenced.
    const fence = await producer.transaction();
    await fence.abort();
    const committed = await this.admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: [tp.topic],
    });
    const offset = committed
      .find((entry) => entry.topic === tp.topic)
      ?.partitions.find((entry) => entry.partition === tp.partition)?.offset;
    const entry: PartitionProducer = {
      producer,
      generation,
      busy: false,
      retired: false,
      claimedAt: offset !== undefined && BigInt(offset) >= 0n ? offset : undefined,
    };
    this.#producers.set(key, entry);
    return entry;
  }

  async deliver(unit: DeliveryUnit): Promise<void> {
    const key = partitionKey(unit);
    const entry = this.#producers.get(key);
    if (entry === undefined || entry.retired) {
      throw deliveryFailed(
        unit,
        'transaction',
        new Error('no producer prepared for this partition'),
      );
    }
    entry.busy = true;
    let step = 'begin transaction';
    const transaction = await entry.producer.transaction().catch((error: unknown) => {
      entry.busy = false;
      entry.retired = true;
      throw deliveryFailed(unit, step, error);
    });
    try {
      if (unit.records.length > 0) {
        step = 'transactional produce';
        // NOTE: several produce requests, one transaction: they all commit or abort together.
        for (const chunk of chunkRecords(unit.records)) {
          await transaction.sendBatch({ acks: -1, topicMessages: toKafkaMessages(chunk) });
        }
      }
      step = 'sendOffsets';
      await transaction.sendOffsets({ consumerGroupId: this.options.groupId, ...offsetsOf(unit) });
      step = 'commit';
      await transaction.commit();
      entry.claimedAt = undefined;
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => {
        // NOTE: a failed commit or abort leaves the kafkajs transaction state machine stuck
        // (COMMITTING/ABORTING, kafkajs#1355); the producer is replaced below, and the next
        // InitProducerId with the same transactional id aborts whatever is still open.
        this.options.logger.warn('transaction abort failed', { key, error: abortError });
      });
      // A failed transaction may also have been fenced or left sequence numbers behind: never reuse it.
      entry.retired = true;
      throw deliveryFailed(unit, step, error);
    } finally {
      entry.busy = false;
      if (entry.retired) await this.#discard(key, entry);
    }
  }

  assigned(partitions: readonly TopicPartition[]): void {
    // NOTE: every new generation re-claims its partitions (new InitProducerId), even ones this
    // instance kept: it may have been out of the group meanwhile without noticing.
    this.#generation += 1;
    this.#assigned = [...partitions];
    this.#claiming = undefined;
    const keep = new Set(partitions.map(partitionKey));
    for (const [key, entry] of this.#producers) {
      if (!keep.has(key) && !entry.busy) void this.#discard(key, entry);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.#producers.entries()].map(([key, entry]) => this.#discard(key, entry)),
    );
  }

  async #discard(key: string, entry: PartitionProducer): Promise<void> {
    if (this.#producers.get(key) === entry) this.#producers.delete(key);
    entry.retired = true;
    try {
      await entry.producer.disconnect();
    } catch (error) {
      this.options.logger.warn('producer disconnect failed', { key, error });
    }
  }
}
