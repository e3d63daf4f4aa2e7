/**
 * Integration-test harness: a unique topic prefix, consumer group and migrated database per run,
 * a producer of encoded derived records, and waits on the sink's committed offsets.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { testServices, uniqueName } from '@cs/infra/testing';
import { migrate } from '@cs/migrate';
import { createLogger } from '@cs/runtime';
import {
  createCodec,
  createSchemaRegistry,
  ensureTopics,
  registerSchemas,
  topicCatalog,
  type Codec,
  type DerivedName,
  type RecordBySchemaName,
  type TopicCatalog,
} from '@cs/schemas';
import type { SinkConfig } from './config.js';

export const silentLogger = createLogger({ component: 'sink-test', write: () => undefined });

export interface SinkRun {
  readonly prefix: string;
  readonly catalog: TopicCatalog;
  readonly groupId: string;
  readonly database: string;
  readonly factsDatabase: string;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly codec: Codec;
  produce<N extends DerivedName>(
    name: N,
    key: string,
    records: readonly RecordBySchemaName[`derived-${N}`][],
  ): Promise<void>;
  produceRaw(
    topic: string,
    messages: { key: string; value: Buffer; headers?: Record<string, string> }[],
  ): Promise<void>;
  config(overrides?: Partial<SinkConfig>): SinkConfig;
  /** Resolves once the group has committed every partition up to its end. */
  waitCommitted(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function prepareSinkRun(clickhouseUrl: string, label = 'sink'): Promise<SinkRun> {
  const services = testServices();
  const prefix = `${uniqueName(label)}.`;
  const catalog = topicCatalog({ prefix, partitions: 2 });
  const database = uniqueName(label);
  const factsDatabase = `${database}_facts`;
  const groupId = uniqueName(`${label}_group`);
  const kafka = new Kafka({
    clientId: 'sink-test',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  // NOTE: topic creation can fail transiently while the broker elects leaders for many new
  // partitions at once (other test files do the same); it is idempotent, so try again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureTopics(admin, catalog);
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
  const registry = createSchemaRegistry({ host: services.schemaRegistryUrl });
  const codec = createCodec(registry, await registerSchemas(registry, catalog));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await migrate({ url: clickhouseUrl, database, log: silentLogger });
  const sinkTopics = [...Object.values(catalog.derived), catalog.deadLetter].map(
    (spec) => spec.name,
  );
  return {
    prefix,
    catalog,
    groupId,
    database,
    factsDatabase,
    admin,
    producer,
    codec,
    async produce(name, key, records) {
      const schema = `derived-${name}` as const;
      await producer.send({
        topic: catalog.derived[name].name,
        acks: -1,
        messages: records.map((record) => ({
          key,
          value: codec.encode(schema, record),
        })),
      });
    },
    async produceRaw(topic, messages) {
      await producer.send({ topic, acks: -1, messages });
    },
    config(overrides = {}) {
      return {
        brokers: services.kafkaBrokers,
        clientId: 'sink-test',
        schemaRegistryUrl: services.schemaRegistryUrl,
        clickhouse: { url: clickhouseUrl, username: 'default', password: '' },
        factsDatabase,
        groupId,
        batchRows: 10_000,
        batchMs: 200,
        retry: { initialDelayMs: 50, maxDelayMs: 1000, multiplier: 2 },
        drainMs: 5000,
        metricsPort: null,
        ...overrides,
      };
    },
    async waitCommitted(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await caughtUp(admin, groupId, sinkTopics)) return;
        if (Date.now() > deadline)
          throw new Error(`group ${groupId} did not catch up in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async close() {
      await producer.disconnect();
      await admin
        .deleteTopics({ topics: catalog.all.map((topic) => topic.name) })
        .catch(() => undefined);
      await admin.disconnect();
    },
  };
}

async function caughtUp(admin: Admin, groupId: string, topics: string[]): Promise<boolean> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  for (const topic of topics) {
    const marks = await admin.fetchTopicOffsets(topic);
    for (const mark of marks) {
      const done = committed
        .find((item) => item.topic === topic)
        ?.partitions.find((item) => item.partition === mark.partition);
      const high = BigInt(mark.high);
      if (high === 0n) continue;
      if (done === undefined || BigInt(done.offset) < high) return false;
    }
  }
  return true;
}

/** A ClickHouse client whose queries may name {db} and {facts_db}. */
export function warehouseQueries(url: string, run: Pick<SinkRun, 'database' | 'factsDatabase'>) {
  const client: ClickHouseClient = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
  return {
    client,
    async rows<T = Record<string, unknown>>(
      query: string,
      params: Record<string, unknown> = {},
    ): Promise<T[]> {
      const result = await client.query({
        query: query.replaceAll('{db}', run.database).replaceAll('{facts_db}', run.factsDatabase),
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_decimals: 1 },
      });
      return result.json<T>();
    },
    async drop() {
      await client.command({ query: `DROP DATABASE IF EXISTS ${run.database}` });
      await client.command({ query: `DROP DATABASE IF EXISTS ${run.factsDatabase}` });
      await client.close();
    },
  };
}
