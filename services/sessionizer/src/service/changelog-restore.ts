import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { CsError, errorMessage } from '@cs/runtime';

export type ChangelogRestoreErrorCode =
  'CHANGELOG_PARTITION_MISSING' | 'CHANGELOG_RESTORE_FAILED' | 'CHANGELOG_RESTORE_TIMEOUT';

export interface ChangelogReadOptions {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly topic: string;
  readonly partition: number;
  /** Prefix of the throwaway consumer group the read uses (kafkajs cannot assign manually). */
  readonly groupIdPrefix: string;
  readonly timeoutMs: number;
  readonly onRecord: (key: string, value: Buffer | null) => void;
}

export interface ChangelogReadResult {
  readonly records: number;
  readonly endOffset: string;
  readonly durationMs: number;
}

/**
 * Reads one changelog partition from its start to its end (read committed) and hands every keyed
 * record to `onRecord` in offset order.
 *
 * NOTE: the end is the partition's last stable offset (kafkajs' admin lists offsets with
 * READ_COMMITTED), read AFTER the input partition's transactional producer was (re)initialised:
 * that InitProducerId aborted any transaction a previous owner left open on this changelog
 * partition (it is only ever written by the producer of the input partition with the same number),
 * so nothing committed later can be missed, and nothing aborted is ever seen.
 *
 * NOTE: kafkajs has no manual assignment, so the read joins a throwaway consumer group (no offsets
 * are committed; the empty group expires) and pauses the partitions it does not want.
 */
export async function readChangelogPartition(
  options: ChangelogReadOptions,
): Promise<ChangelogReadResult> {
  const started = performance.now();
  const { topic, partition } = options;
  const offsets = await options.admin.fetchTopicOffsets(topic);
  const bounds = offsets.find((entry) => entry.partition === partition);
  if (bounds === undefined) {
    throw new CsError<ChangelogRestoreErrorCode>(
      'CHANGELOG_PARTITION_MISSING',
      `changelog ${topic} has no partition ${partition}`,
    );
  }
  const end = BigInt(bounds.high);
  if (end <= BigInt(bounds.low)) {
    return { records: 0, endOffset: bounds.high, durationMs: performance.now() - started };
  }

  const consumer = options.kafka.consumer({
    groupId: `${options.groupIdPrefix}.restore.${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  let records = 0;
  let finished = false;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const timer = setTimeout(() => {
    settle?.reject(
      new CsError<ChangelogRestoreErrorCode>(
        'CHANGELOG_RESTORE_TIMEOUT',
        `restoring ${topic}:${partition} took longer than ${options.timeoutMs} ms (read ${records} records)`,
        { retriable: true },
      ),
    );
  }, options.timeoutMs);
  try {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      settle?.reject(
        new CsError<ChangelogRestoreErrorCode>(
          'CHANGELOG_RESTORE_FAILED',
          `restoring ${topic}:${partition}: ${payload.error.message}`,
          { cause: payload.error, retriable: true },
        ),
      );
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
          // A state that does not decode: no retry of the fetch can fix it.
          finished = true;
          settle?.reject(error instanceof Error ? error : new Error(errorMessage(error)));
          return Promise.resolve();
        }
        // NOTE: lastOffset() also covers the transaction markers kafkajs filters out, so a
        // partition ending with a commit marker is recognised as read to its end.
        if (BigInt(batch.lastOffset()) + 1n >= end) {
          finished = true;
          consumer.pause([{ topic, partitions: [partition] }]);
          settle?.resolve();
        }
        return Promise.resolve();
      },
    });
    await done;
  } catch (error) {
    if (error instanceof CsError) throw error;
    throw new CsError<ChangelogRestoreErrorCode>(
      'CHANGELOG_RESTORE_FAILED',
      `restoring ${topic}:${partition}: ${errorMessage(error)}`,
      { cause: error, retriable: true },
    );
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return { records, endOffset: bounds.high, durationMs: performance.now() - started };
}
