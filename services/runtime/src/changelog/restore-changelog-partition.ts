import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { filteredThrough } from '../consumer/filtered-batch.js';
import { CsError, errorMessage } from '../errors.js';

export type RestoreChangelogErrorCode =
  'CHANGELOG_PARTITION_MISSING' | 'CHANGELOG_RESTORE_FAILED' | 'CHANGELOG_RESTORE_TIMEOUT';

export interface RestoreChangelogOptions {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly topic: string;
  readonly partition: number;
  /** Prefix of the throwaway consumer group of the read (kafkajs cannot assign manually). */
  readonly groupIdPrefix: string;
  readonly timeoutMs: number;
  /** Every keyed record up to the end, in offset order (`null`: a tombstone). */
  readonly onRecord: (key: string, value: Buffer | null) => void;
}

export interface RestoreChangelogResult {
  readonly records: number;
  readonly endOffset: string;
  readonly durationMs: number;
}

/**
 * Reads one partition of a compacted changelog from its start to its end, read committed.
 *
 * NOTE: the end is the last stable offset (kafkajs lists offsets READ_COMMITTED), taken when this
 * is called. Callers call it from the consumer shell's handler, i.e. after the shell re-initialised
 * the input partition's transactional producer, which aborted whatever a previous owner left open:
 * nothing committed later is missed, nothing aborted is read.
 *
 * NOTE: kafkajs has no manual assignment, so the read joins a throwaway group (nothing committed;
 * the empty group expires) and pauses every other partition it is given.
 *
 * NOTE: it runs inside a record handler; the consumer shell heartbeats the group while a handler
 * runs, so a restore longer than the session timeout does not cost the member its partitions.
 *
 * Shared by the stateful processors (sessionizer, billing, enricher).
 */
export async function restoreChangelogPartition(
  options: RestoreChangelogOptions,
): Promise<RestoreChangelogResult> {
  const started = performance.now();
  const { topic, partition } = options;
  const bounds = (await options.admin.fetchTopicOffsets(topic)).find(
    (entry) => entry.partition === partition,
  );
  if (bounds === undefined) {
    throw new CsError<RestoreChangelogErrorCode>(
      'CHANGELOG_PARTITION_MISSING',
      `changelog ${topic} has no partition ${partition}`,
    );
  }
  const end = BigInt(bounds.high);
  const elapsed = () => performance.now() - started;
  if (end <= BigInt(bounds.low))
    return { records: 0, endOffset: bounds.high, durationMs: elapsed() };

  const consumer = options.kafka.consumer({
    groupId: `${options.groupIdPrefix}.restore.${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    // Large fetches: a restore reads one partition as fast as it can (a big changelog is tens of MB).
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  let records = 0;
  let finished = false;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const fail = (error: Error): void => {
    finished = true;
    settle?.reject(error);
  };
  const timer = setTimeout(() => {
    fail(
      new CsError<RestoreChangelogErrorCode>(
        'CHANGELOG_RESTORE_TIMEOUT',
        `restoring ${topic}:${partition} took longer than ${options.timeoutMs} ms (${records} records read)`,
        { retriable: true },
      ),
    );
  }, options.timeoutMs);
  try {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      fail(
        new CsError<RestoreChangelogErrorCode>(
          'CHANGELOG_RESTORE_FAILED',
          `restoring ${topic}:${partition}: ${payload.error.message}`,
          { cause: payload.error, retriable: true },
        ),
      );
    });
    const reachedEnd = (lastOffset: string): void => {
      if (BigInt(lastOffset) + 1n < end) return;
      finished = true;
      consumer.pause([{ topic, partitions: [partition] }]);
      settle?.resolve();
    };
    // NOTE: a fetch holding only aborted records and markers never reaches eachBatch (kafkajs
    // 2.2, see filteredThrough): a partition whose tail is an aborted transaction — an owner
    // killed mid-transaction, then fenced — would otherwise never be recognised as read to its end.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const through = filteredThrough(payload);
      if (!finished && payload.partition === partition && through !== undefined) {
        reachedEnd(through);
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        if (finished) return Promise.resolve();
        if (batch.partition !== partition) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return Promise.resolve();
        }
        try {
          for (const message of batch.messages) {
            if (BigInt(message.offset) >= end) break;
            if (message.key === null) continue;
            options.onRecord(message.key.toString('utf8'), message.value);
            records += 1;
          }
        } catch (error) {
          // A state that does not decode: reading again cannot fix it.
          fail(error instanceof Error ? error : new Error(errorMessage(error)));
          return Promise.resolve();
        }
        // NOTE: lastOffset() covers the transaction markers kafkajs filters out, so a partition
        // that ends with a commit marker is still recognised as read to its end.
        reachedEnd(batch.lastOffset());
        return Promise.resolve();
      },
    });
    await done;
  } catch (error) {
    if (error instanceof CsError) throw error;
    throw new CsError<RestoreChangelogErrorCode>(
      'CHANGELOG_RESTORE_FAILED',
      `restoring ${topic}:${partition}: ${errorMessage(error)}`,
      { cause: error, retriable: true },
    );
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return { records, endOffset: bounds.high, durationMs: elapsed() };
}
