/** A topic and partition, the unit Kafka pauses, resumes and commits. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** `topic:partition` — unambiguous, since `:` is not allowed in a Kafka topic name. */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

export interface GateChange {
  readonly pause: readonly TopicPartition[];
  readonly resume: readonly TopicPartition[];
}

/**
 * Backpressure across partitions: counts records fetched but not yet committed. Above `cap` the
 * busiest partitions are paused (so the next fetches leave them out) until the records of the
 * partitions still fetching fit under `resumeAt`; when the total drains to `resumeAt`, every paused
 * partition resumes. Pure bookkeeping: the caller applies the change to the consumer.
 */
export class InFlightGate {
  readonly #counts = new Map<string, { tp: TopicPartition; records: number }>();
  readonly #paused = new Map<string, TopicPartition>();
  #total = 0;

  constructor(
    readonly cap: number,
    readonly resumeAt: number = Math.floor(cap / 2),
  ) {}

  get total(): number {
    return this.#total;
  }

  get pausedCount(): number {
    return this.#paused.size;
  }

  isPaused(tp: TopicPartition): boolean {
    return this.#paused.has(partitionKey(tp));
  }

  add(tp: TopicPartition, records: number): GateChange {
    const key = partitionKey(tp);
    const entry = this.#counts.get(key) ?? { tp, records: 0 };
    entry.records += records;
    this.#counts.set(key, entry);
    this.#total += records;
    if (this.#total <= this.cap) return { pause: [], resume: [] };

    const busiest = [...this.#counts.entries()]
      .filter(([k, e]) => e.records > 0 && !this.#paused.has(k))
      .sort((a, b) => b[1].records - a[1].records);
    let unpaused = busiest.reduce((sum, [, e]) => sum + e.records, 0);
    const pause: TopicPartition[] = [];
    for (const [k, e] of busiest) {
      if (unpaused <= this.resumeAt && pause.length > 0) break;
      this.#paused.set(k, e.tp);
      pause.push(e.tp);
      unpaused -= e.records;
    }
    return { pause, resume: [] };
  }

  release(tp: TopicPartition, records: number): GateChange {
    const key = partitionKey(tp);
    const entry = this.#counts.get(key);
    if (entry !== undefined) {
      const released = Math.min(records, entry.records);
      entry.records -= released;
      this.#total -= released;
      if (entry.records === 0) this.#counts.delete(key);
    }
    if (this.#paused.size === 0 || this.#total > this.resumeAt) return { pause: [], resume: [] };
    const resume = [...this.#paused.values()];
    this.#paused.clear();
    return { pause: [], resume };
  }

  /** After a rebalance: forget partitions no longer held (kafkajs forgets their pause too). */
  retain(assigned: (tp: TopicPartition) => boolean): void {
    for (const [key, entry] of this.#counts) {
      if (!assigned(entry.tp)) {
        this.#total -= entry.records;
        this.#counts.delete(key);
      }
    }
    for (const [key, tp] of this.#paused) if (!assigned(tp)) this.#paused.delete(key);
  }
}
