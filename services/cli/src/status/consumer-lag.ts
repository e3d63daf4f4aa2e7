import type { Admin } from 'kafkajs';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** The group's committed offset; null when it has committed nothing there yet. */
  committed: bigint | null;
  end: bigint;
  lag: bigint;
}

/**
 * Lag of one partition: records after the committed offset, or every retained record when the
 * group has committed nothing (Kafka reports that as offset -1).
 */
export function partitionLag(
  committed: string,
  low: string,
  high: string,
): { committed: bigint | null; lag: bigint } {
  const end = BigInt(high);
  const start = BigInt(low);
  const at = BigInt(committed);
  if (at < 0n) return { committed: null, lag: end - start };
  return { committed: at, lag: end > at ? end - at : 0n };
}

/** Lag per partition of every consumer group whose id starts with `prefix`. */
export async function consumerGroupLag(admin: Admin, prefix: string): Promise<PartitionLag[]> {
  const { groups } = await admin.listGroups();
  const ids = groups
    .filter((group) => group.protocolType === 'consumer' && group.groupId.startsWith(prefix))
    .map((group) => group.groupId)
    .sort();
  const rows: PartitionLag[] = [];
  for (const group of ids) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition);
        if (end === undefined) continue;
        rows.push({
          group,
          topic,
          partition,
          end: BigInt(end.high),
          ...partitionLag(offset, end.low, end.high),
        });
      }
    }
  }
  return rows;
}
