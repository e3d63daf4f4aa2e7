import { Kafka, logLevel, type Admin, type IHeaders, type KafkaMessage } from 'kafkajs';

/** Helpers of the consumer shell's integration tests: topics, producing inputs, reading outputs. */
export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export function testKafka(brokers: string[], clientId = 'runtime-it'): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

export async function createTopics(
  admin: Admin,
  topics: ReadonlyArray<{ topic: string; partitions?: number; config?: Record<string, string> }>,
): Promise<void> {
  // NOTE: not `waitForLeaders`: kafkajs then asks for metadata once and gives up on
  // UNKNOWN_TOPIC_OR_PARTITION while a KRaft broker is still propagating the new topic.
  await admin.createTopics({
    waitForLeaders: false,
    topics: topics.map(({ topic, partitions, config }) => ({
      topic,
      numPartitions: partitions ?? 1,
      replicationFactor: 1,
      ...(config === undefined
        ? {}
        : { configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }),
    })),
  });
  await waitForLeaders(
    admin,
    topics.map((t) => t.topic),
  );
}

async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (
        metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`no leaders for ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function produce(
  kafka: Kafka,
  topic: string,
  messages: ReadonlyArray<{ key: string; value: Buffer | string; partition?: number }>,
): Promise<void> {
  // NOTE: idempotent, or a retried produce request (a slow broker, a partition whose leader is
  // still being propagated) writes the same inputs twice and every count in the test is off.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m })) });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning with a fresh group until `expected` records arrived and then
 * `settleMs` passed without new ones (so duplicates would show), or until `timeoutMs`.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { expected: number; readUncommitted?: boolean; timeoutMs?: number; settleMs?: number },
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${Math.random().toString(36).slice(2)}`,
    readUncommitted: options.readUncommitted ?? false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
  });
  const seen: ReadMessage[] = [];
  let lastAt = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({
      topic: t,
      partition,
      message,
    }: {
      topic: string;
      partition: number;
      message: KafkaMessage;
    }) => {
      seen.push({
        topic: t,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value,
        headers: message.headers ?? {},
      });
      lastAt = Date.now();
      return Promise.resolve();
    },
  });
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const settle = options.settleMs ?? 1_000;
  while (Date.now() < deadline) {
    if (seen.length >= options.expected && Date.now() - lastAt >= settle) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await consumer.disconnect();
  return seen;
}

/** The committed offset of a group per partition (−1 when none). */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
}

export async function eventually<T>(
  read: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last, replacer)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint'
    ? value.toString()
    : value instanceof Map
      ? Object.fromEntries(value)
      : value;
}

export function sum(map: Map<number, bigint>): bigint {
  let total = 0n;
  for (const value of map.values()) if (value > 0n) total += value;
  return total;
}

/** A logger that drops everything (the shells under test log only through it). */
export const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quietLogger,
};
