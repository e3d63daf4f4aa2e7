import type { Admin } from 'kafkajs';
import type { Gauge } from '@cs/runtime';
import { parseRangeMetadata, type OffsetRange } from './batch-range.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Where a partition resumes: the committed offset and the range recorded with it, if any. */
export interface PartitionStart {
  /** The first offset not yet stored (`0` when the group never committed). */
  readonly committed: string;
  readonly pending: OffsetRange | undefined;
}

/**
 * Reads the group's committed offsets with their metadata (kafkajs' consumer does not expose the
 * metadata; the admin client does).
 */
export async function fetchPartitionStarts(
  admin: Admin,
  groupId: string,
  assigned: readonly TopicPartition[],
): Promise<Map<string, PartitionStart>> {
  const topics = [...new Set(assigned.map((tp) => tp.topic))];
  const starts = new Map<string, PartitionStart>();
  if (topics.length === 0) return starts;
  const committed = await admin.fetchOffsets({ groupId, topics });
  for (const tp of assigned) {
    const entry = committed
      .find((item) => item.topic === tp.topic)
      ?.partitions.find((item) => item.partition === tp.partition);
    const offset = entry !== undefined && BigInt(entry.offset) >= 0n ? entry.offset : '0';
    starts.set(`${tp.topic}:${tp.partition}`, {
      committed: offset,
      pending: parseRangeMetadata(entry?.metadata),
    });
  }
  return starts;
}

/** Lag of this member's partitions from the brokers: high watermark − committed (or − low). */
export async function refreshLag(
  admin: Admin,
  groupId: string,
  assigned: readonly TopicPartition[],
  lag: Gauge,
): Promise<void> {
  const topics = [...new Set(assigned.map((tp) => tp.topic))];
  if (topics.length === 0) return;
  const committed = await admin.fetchOffsets({ groupId, topics });
  for (const topic of topics) {
    const marks = await admin.fetchTopicOffsets(topic);
    for (const tp of assigned.filter((item) => item.topic === topic)) {
      const mark = marks.find((item) => item.partition === tp.partition);
      if (mark === undefined) continue;
      const done = committed
        .find((item) => item.topic === topic)
        ?.partitions.find((item) => item.partition === tp.partition)?.offset;
      const from = done !== undefined && BigInt(done) >= 0n ? BigInt(done) : BigInt(mark.low);
      const value = BigInt(mark.high) - from;
      lag.set(
        { group: groupId, topic, partition: String(tp.partition) },
        Number(value > 0n ? value : 0n),
      );
    }
  }
}
