import type { Admin } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { Gauge } from './prometheus.js';
import type { TopicPartition } from './in-flight.js';

/**
 * Lag of this member's partitions, read from the brokers: high watermark − committed offset (or −
 * the low watermark when nothing was committed yet). Runs periodically so the gauge moves even when
 * no batch arrives (a stuck or paused partition is exactly when lag matters).
 */
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
    const watermarks = await admin.fetchTopicOffsets(topic);
    const committedOf = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const tp of assigned) {
      if (tp.topic !== topic) continue;
      const marks = watermarks.find((entry) => entry.partition === tp.partition);
      if (marks === undefined) continue;
      const done = committedOf.find((entry) => entry.partition === tp.partition)?.offset;
      const from = done !== undefined && BigInt(done) >= 0n ? BigInt(done) : BigInt(marks.low);
      const value = BigInt(marks.high) - from;
      lag.set(
        { group: groupId, topic, partition: String(tp.partition) },
        Number(value > 0n ? value : 0n),
      );
    }
  }
}

/** Calls `refresh` every `intervalMs` (not overlapping); returns a stop function. */
export function every(
  intervalMs: number,
  refresh: () => Promise<void>,
  logger: Logger,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refresh()
      .catch((error: unknown) => logger.warn('lag refresh failed', { error }))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
