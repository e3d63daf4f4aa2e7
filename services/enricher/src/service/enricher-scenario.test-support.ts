/**
 * Integration-test support: one isolated enricher world (topic prefix, group) per test, a reader
 * of its outputs (read committed, as downstream sees them) and a stand-in for the sessionizer's
 * activity rows.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { testServices, uniqueName } from '@cs/infra/testing';
import { createPublisher, type Publisher } from '@cs/publisher';
import { deleteSubjects } from '@cs/publisher/testing';
import { createLogger, type RecordHeaders, retryingKafka } from '@cs/runtime';
import {
  createCodec,
  createSchemaRegistry,
  registerSchemas,
  topicCatalog,
  validateEvent,
  type Codec,
  type EnrichedUsageRecord,
  type TopicCatalog,
} from '@cs/schemas';
import { parseTenants } from '@cs/tenants';
import { ACTIVITY_TOPIC } from './enricher-topics.js';
import { startEnricher, type EnricherService } from './enricher-service.js';

export const TENANT = 'acme';
export const quietLogger = createLogger({ component: 'enricher-test', write: () => undefined });
const tenants = parseTenants(
  JSON.stringify({ tenants: [{ id: TENANT, timezone: 'Europe/Paris' }] }),
  'test-tenants.json',
);

export interface ReadRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
}

export interface EnricherWorld {
  readonly prefix: string;
  readonly catalog: TopicCatalog;
  readonly codec: Codec;
  /** Everything committed on the derived and dead-letter topics so far. */
  records(topic: string): ReadRecord[];
  /** The enricher running now (one is started with the world). */
  service(): EnricherService;
  /** Stops the running enricher and starts a new one in the same group. */
  restart(): Promise<EnricherService>;
  publish(...events: unknown[]): Promise<void>;
  /** What the sessionizer would publish for one usage event. */
  activity(
    row: Partial<EnrichedUsageRecord> & { eventId: string; userId: string; accountId: string },
  ): Promise<void>;
  cleanup(): Promise<void>;
}

export async function enricherWorld(name: string): Promise<EnricherWorld> {
  const services = testServices();
  const prefix = `${uniqueName(name)}.`;
  const groupId = uniqueName(`${name}_group`);
  const catalog = topicCatalog({ prefix });
  const kafka = new Kafka({
    clientId: 'enricher-test',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const publisher: Publisher = createPublisher({
    brokers: services.kafkaBrokers,
    registryUrl: services.schemaRegistryUrl,
    topics: catalog,
    logger: quietLogger,
  });
  // NOTE: topic creation races leader election on a busy broker; the error is retriable.
  await retryingKafka(() => publisher.start());
  const registry = createSchemaRegistry({ host: services.schemaRegistryUrl });
  const codec = createCodec(registry, await registerSchemas(registry, catalog));
  const started: EnricherService[] = [];

  // The enricher creates the activity topic; start one first so the reader can subscribe to all.
  let current = await start();
  const watched = [
    ...Object.values(catalog.derived).map((spec) => spec.name),
    catalog.deadLetter.name,
  ];
  const read: ReadRecord[] = [];
  const consumer: Consumer = kafka.consumer({
    groupId: `enricher-reader-${randomBytes(6).toString('hex')}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: watched, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ topic, message }) => {
      read.push({
        topic,
        key: message.key?.toString('utf8') ?? '',
        value: message.value,
        headers: message.headers ?? {},
      });
      return Promise.resolve();
    },
  });
  const producer: Producer = kafka.producer();
  await producer.connect();

  async function start(): Promise<EnricherService> {
    const service = await startEnricher({
      brokers: services.kafkaBrokers,
      registryUrl: services.schemaRegistryUrl,
      tenants,
      topicPrefix: prefix,
      groupId,
      metricsPort: 0,
      commitEvery: 3,
      logger: quietLogger,
      kafkaLogLevel: logLevel.NOTHING,
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, maxWaitTimeMs: 200 },
    });
    started.push(service);
    return service;
  }

  return {
    prefix,
    catalog,
    codec,
    records: (topic) => read.filter((record) => record.topic === topic),
    service: () => current,
    async restart() {
      await current.stop();
      current = await start();
      return current;
    },
    async publish(...events) {
      await publisher.publish(
        events.map((event) => {
          const result = validateEvent(event);
          if (!result.ok) throw new Error(`test event invalid: ${JSON.stringify(result.errors)}`);
          return result;
        }),
      );
    },
    async activity(row) {
      const record: EnrichedUsageRecord = {
        tenant: TENANT,
        ts: Date.UTC(2026, 2, 1, 10),
        day: Date.UTC(2026, 2, 1) / 86_400_000,
        product: null,
        module: null,
        feature: null,
        count: 1,
        accountPath: [],
        role: null,
        properties: {},
        ...row,
      };
      await producer.send({
        topic: `${prefix}${ACTIVITY_TOPIC}`,
        messages: [
          { key: `${TENANT}/${row.userId}`, value: codec.encode('derived-enriched-usage', record) },
        ],
      });
    },
    async cleanup() {
      await Promise.all(started.map((service) => service.stop()));
      await consumer.disconnect();
      await producer.disconnect();
      await publisher.stop();
      const admin = kafka.admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
        if (topics.length > 0) await admin.deleteTopics({ topics });
      } finally {
        await admin.disconnect();
      }
      await deleteSubjects(services.schemaRegistryUrl, catalog);
    },
  };
}
