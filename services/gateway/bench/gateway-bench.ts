/**
 * Gateway throughput against a raw kafkajs producer, in one run, on the same events:
 *
 *   npm run bench -w @cs/gateway
 *
 * Env: KAFKA_BROKERS (127.0.0.1:19092), SCHEMA_REGISTRY_URL (http://127.0.0.1:18081/apis/ccompat/v7),
 * BENCH_EVENTS (100000), BENCH_BATCH (500 events per send / request), BENCH_CLIENTS (4 concurrent).
 * It prints figures; it asserts nothing. Topics and subjects get a unique prefix and are deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Message, type ProducerConfig } from 'kafkajs';
import { createLogger } from '@cs/runtime';
import { deleteSubjects, deleteTopics } from '@cs/publisher/testing';
import {
  createCodec,
  createSchemaRegistry,
  ensureTopics,
  eventKey,
  registerSchemas,
  topicCatalog,
  topicFor,
  validateEvent,
  type TopicCatalog,
  type ValidEvent,
} from '@cs/schemas';
import { loadTenants } from '@cs/tenants';
import { startGateway } from '../src/index.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const total = Number(process.env.BENCH_EVENTS ?? 100_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 500);
const clients = Number(process.env.BENCH_CLIENTS ?? 4);
const KEY = `bench-${randomBytes(12).toString('hex')}`;

/** A realistic mix: mostly usage, some entity records, over many users and accounts. */
function inputs(run: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const common = {
      id: `${run}-${i}`,
      ts: 1_772_359_200_000 + i * 1000,
      accountId: `acc-${i % 200}`,
    };
    if (i % 10 === 9)
      return {
        type: 'user',
        ...common,
        userId: `user-${i % 2000}`,
        email: `u${i % 2000}@example.com`,
      };
    return {
      type: 'usage',
      ...common,
      userId: `user-${i % 2000}`,
      product: 'app',
      module: ['reports', 'dashboards', 'admin'][i % 3],
      feature: `feature-${i % 40}`,
      count: 1 + (i % 3),
      properties: { browser: 'firefox', plan: 'pro' },
    };
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` over the batches with `clients` concurrent workers; events per second. */
async function throughput<T>(batches: T[][], work: (batch: T[]) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        const batch = batches[i];
        if (batch !== undefined) await work(batch);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return batches.reduce((sum, batch) => sum + batch.length, 0) / seconds;
}

function valid(events: Record<string, unknown>[]): ValidEvent[] {
  return events.map((input) => {
    const result = validateEvent(input, { tenant: 'bench' });
    if (!result.ok) throw new Error(`bench fixture refused: ${JSON.stringify(result.errors)}`);
    return result;
  });
}

async function rawProducer(
  topics: TopicCatalog,
  config: ProducerConfig,
  run: string,
): Promise<number> {
  const registry = createSchemaRegistry({ host: registryUrl });
  const codec = createCodec(registry, await registerSchemas(registry, topics));
  // The same Avro bytes and keys the gateway produces, encoded before the clock starts.
  const messages = valid(inputs(run, total)).map((event) => ({
    topic: topicFor(event.event, topics),
    message: {
      key: eventKey(event.event),
      value: codec.encode(event.type, event.record),
    },
  }));
  const kafka = new Kafka({ clientId: 'cs-bench-raw', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    ...config,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    return await throughput(chunks(messages, batchSize), async (batch) => {
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of batch)
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
      });
    });
  } finally {
    await producer.disconnect();
  }
}

async function gateway(topics: TopicCatalog, run: string): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-bench-'));
  const file = path.join(dir, 'tenants.json');
  writeFileSync(file, JSON.stringify({ tenants: [{ id: 'bench', apiKeys: [KEY] }] }));
  const gw = await startGateway({
    port: 0,
    brokers,
    registryUrl,
    tenants: loadTenants(file),
    topics,
    logger: createLogger({ component: 'gateway-bench', level: 'warn' }),
  });
  try {
    const bodies = chunks(inputs(run, total), batchSize).map((batch) => ({
      count: batch.length,
      text: batch.map((event) => JSON.stringify(event)).join('\n'),
    }));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = next++; i < bodies.length; i = next++) {
          const body = bodies[i];
          if (body === undefined) continue;
          const response = await fetch(`${gw.url}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${KEY}` },
            body: body.text,
          });
          const reply = (await response.json()) as { accepted?: number };
          if (response.status !== 200 || reply.accepted !== body.count) {
            throw new Error(`gateway answered ${response.status}: ${JSON.stringify(reply)}`);
          }
        }
      }),
    );
    return total / ((performance.now() - started) / 1000);
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const prefix = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}.`;
  const topics = topicCatalog({ prefix });
  const kafka = new Kafka({ clientId: 'cs-bench-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topics);
  await admin.disconnect();
  try {
    process.stdout.write(
      `${total} events, ${batchSize} per send/request, ${clients} concurrent clients\n`,
    );
    // Warm-up: connections, metadata, JIT.
    await rawProducer(topics, { idempotent: true, maxInFlightRequests: 1 }, 'warm-raw');
    await gateway(topics, 'warm-gw');
    const rawDefault = await rawProducer(topics, {}, 'raw-default');
    const rawIdempotent = await rawProducer(
      topics,
      { idempotent: true, maxInFlightRequests: 1 },
      'raw-idem',
    );
    const viaGateway = await gateway(topics, 'gateway');
    const rows: [string, number][] = [
      ['raw kafkajs producer (acks=all)', rawDefault],
      ['raw kafkajs producer (idempotent, acks=all)', rawIdempotent],
      ['gateway, NDJSON over HTTP (validate + encode + idempotent acks=all)', viaGateway],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    process.stdout.write(`\n${'path'.padEnd(width)}  events/s\n${'-'.repeat(width)}  --------\n`);
    for (const [name, rate] of rows)
      process.stdout.write(`${name.padEnd(width)}  ${Math.round(rate).toString().padStart(8)}\n`);
    process.stdout.write(
      `\nratio gateway / raw idempotent: ${(viaGateway / rawIdempotent).toFixed(2)}` +
        `   gateway / raw default: ${(viaGateway / rawDefault).toFixed(2)}   (aim ≥ 0.5)\n`,
    );
  } finally {
    await deleteTopics(brokers, topics);
    await deleteSubjects(registryUrl, topics);
  }
}

await main();
