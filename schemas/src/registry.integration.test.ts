import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from '@cs/infra/testing';
import { createCodec } from './codec.js';
import {
  EVENT_TYPES,
  usageAvroSchema,
  type EventRecord,
  type EventType,
} from './generated/index.js';
import { createSchemaRegistry, registerSchemas, type SchemaIds } from './registry.js';
import { validEvents } from './test-fixtures.js';
import { ensureTopics, recordKey, topicCatalog } from './topics.js';
import { validateEvent } from './validate.js';

// Real Kafka and a real Confluent-API registry. Isolation is by name: every topic and subject of
// this run carries a unique prefix, and both are deleted afterwards.
const services = testServices();
const prefix = `${uniqueName('schemas')}.`;
const catalog = topicCatalog({ prefix, partitions: 1 });
const registry = createSchemaRegistry({ host: services.schemaRegistryUrl });
const kafka = new Kafka({
  clientId: 'schemas-integration',
  brokers: services.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
let admin: Admin;
let ids: SchemaIds;

async function registryRequest(method: string, path: string): Promise<unknown> {
  const response = await fetch(`${services.schemaRegistryUrl}${path}`, { method });
  const body: unknown = await response.json();
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  ids = await registerSchemas(registry, catalog);
});

afterAll(async () => {
  await admin.deleteTopics({ topics: catalog.all.map((topic) => topic.name) });
  await admin.disconnect();
  for (const topic of catalog.all) {
    const subject = encodeURIComponent(topic.subject);
    await registryRequest('DELETE', `/subjects/${subject}`);
    await registryRequest('DELETE', `/subjects/${subject}?permanent=true`);
  }
});

describe('schema registration', () => {
  it('registers every schema under its subject with BACKWARD compatibility', async () => {
    expect(Object.keys(ids).sort()).toEqual(catalog.all.map((topic) => topic.schema).sort());
    for (const topic of catalog.all) {
      expect(ids[topic.schema]).toBeGreaterThan(0);
      const config = await registryRequest('GET', `/config/${encodeURIComponent(topic.subject)}`);
      expect(config).toMatchObject({ compatibilityLevel: 'BACKWARD' });
    }
  });

  it('is idempotent: registering again returns the same ids', async () => {
    expect(await registerSchemas(registry, catalog)).toEqual(ids);
  });

  it('refuses an incompatible change with 409 and accepts an optional field with a default', async () => {
    const subject = catalog.raw.usage.subject;
    const incompatible = {
      ...usageAvroSchema,
      fields: [...usageAvroSchema.fields, { name: 'mandatory', type: 'string' }],
    };
    await expect(
      registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(incompatible) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      ),
    ).rejects.toMatchObject({ status: 409 });

    const compatible = {
      ...usageAvroSchema,
      fields: [...usageAvroSchema.fields, { name: 'hint', type: 'string', default: 'none' }],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(compatible) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(id).not.toBe(ids.usage);

    // A record written with v2 reads as today's usage record.
    const usage = validateEvent(validEvents().usage);
    if (!usage.ok) throw new Error('fixture');
    const v2Bytes = await registry.encode(id, { ...usage.record, hint: 'tab' });
    expect(await createCodec(registry, ids).decode('usage', v2Bytes)).toEqual(usage.record);
  });
});

describe('through Kafka', () => {
  it('creates the topics once, and records survive encode → produce → consume → decode', async () => {
    expect((await ensureTopics(admin, catalog)).sort()).toEqual(
      catalog.all.map((topic) => topic.name).sort(),
    );
    expect(await ensureTopics(admin, catalog)).toEqual([]);

    const codec = createCodec(registry, ids);
    const sent = new Map<EventType, EventRecord>();
    const producer = kafka.producer();
    await producer.connect();
    for (const type of EVENT_TYPES) {
      const result = validateEvent(validEvents()[type]);
      if (!result.ok) throw new Error(`fixture ${type}`);
      sent.set(type, result.record);
      await producer.send({
        topic: catalog.raw[type].name,
        messages: [
          {
            key: recordKey(type, result.record),
            value: codec.encode(result.type, result.record),
          },
        ],
      });
    }
    await producer.disconnect();

    const received = new Map<EventType, { key: string; record: EventRecord }>();
    const consumer = kafka.consumer({ groupId: uniqueName('schemas_group') });
    await consumer.connect();
    await consumer.subscribe({
      topics: EVENT_TYPES.map((type) => catalog.raw[type].name),
      fromBeginning: true,
    });
    const topicType = new Map(EVENT_TYPES.map((type) => [catalog.raw[type].name, type]));
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ topic, message }) => {
            const type = topicType.get(topic);
            if (type === undefined || message.value === null)
              throw new Error(`unexpected ${topic}`);
            const record = await codec.decode(type, message.value);
            received.set(type, { key: message.key?.toString() ?? '', record });
            if (received.size === EVENT_TYPES.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    for (const type of EVENT_TYPES) {
      const record = sent.get(type);
      if (record === undefined) throw new Error(`nothing sent for ${type}`);
      expect(received.get(type)).toEqual({ key: recordKey(type, record), record });
    }
  });
});
