import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import {
  createCodec,
  createSchemaRegistry,
  EVENT_TYPES,
  registerSchemas,
  toCanonicalJson,
  type CanonicalEvent,
  type EventType,
  type TopicCatalog,
} from '@cs/schemas';

/**
 * Test support (also for other workspaces' tests): read back what is on a catalog's raw topics,
 * decoded to canonical JSON, so a test compares what it sent with what Kafka holds.
 */

export interface PublishedRecord {
  topic: string;
  partition: number;
  offset: string;
  type: EventType;
  key: string;
  event: CanonicalEvent;
}

export interface ReadPublishedOptions {
  brokers: string[];
  registryUrl: string;
  topics: TopicCatalog;
  timeoutMs?: number;
}

/**
 * Every record on the raw topics up to their end offsets at call time, in partition order.
 * Reading to the end offsets (not to an expected count) also shows duplicates.
 */
export async function readPublished(options: ReadPublishedOptions): Promise<PublishedRecord[]> {
  const kafka = new Kafka({
    clientId: 'cs-publisher-testing',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const registry = createSchemaRegistry({ host: options.registryUrl });
  const codec = createCodec(registry, await registerSchemas(registry, options.topics));
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  try {
    for (const type of EVENT_TYPES) {
      const topic = options.topics.raw[type].name;
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) > 0n) remaining.set(`${topic}:${partition}`, BigInt(high) - 1n);
      }
    }
  } finally {
    await admin.disconnect();
  }
  const out: PublishedRecord[] = [];
  if (remaining.size === 0) return out;

  const typeOf = new Map(EVENT_TYPES.map((type) => [options.topics.raw[type].name, type]));
  const consumer = kafka.consumer({
    groupId: `cs-read-published-${randomBytes(6).toString('hex')}`,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...typeOf.keys()], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `readPublished: partitions not read to the end: ${[...remaining.keys()].join(', ')}`,
          ),
        );
      }, options.timeoutMs ?? 30_000);
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            const type = typeOf.get(topic);
            const last = remaining.get(`${topic}:${partition}`);
            if (type === undefined || last === undefined || BigInt(message.offset) > last) return;
            if (message.value === null) throw new Error(`null value at ${topic}:${partition}`);
            const record = await codec.decode(type, message.value);
            out.push({
              topic,
              partition,
              offset: message.offset,
              type,
              key: message.key?.toString('utf8') ?? '',
              event: toCanonicalJson(type, record),
            });
            if (BigInt(message.offset) === last) remaining.delete(`${topic}:${partition}`);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Deletes a catalog's topics (test clean-up). */
export async function deleteTopics(brokers: string[], topics: TopicCatalog): Promise<void> {
  const kafka = new Kafka({
    clientId: 'cs-publisher-testing',
    brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const names = topics.all.map((topic) => topic.name).filter((name) => existing.has(name));
    if (names.length > 0) await admin.deleteTopics({ topics: names });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes a catalog's registry subjects, soft then permanently (test clean-up). */
export async function deleteSubjects(registryUrl: string, topics: TopicCatalog): Promise<void> {
  for (const topic of topics.all) {
    const subject = encodeURIComponent(topic.subject);
    for (const query of ['', '?permanent=true']) {
      const response = await fetch(`${registryUrl}/subjects/${subject}${query}`, {
        method: 'DELETE',
      });
      await response.body?.cancel();
    }
  }
}
