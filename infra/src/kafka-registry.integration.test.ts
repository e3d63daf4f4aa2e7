import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices, uniqueName } from './testing/index.js';

// NOTE: `at` is a plain long (epoch ms) to avsc: logical types need a registered implementation.
// Smoke tests of the real broker and the real registry the harness provides: Avro records in the
// Confluent wire format (magic byte 0, 4-byte schema id, Avro body) round-trip through both, and
// the registry enforces BACKWARD compatibility.
const services = testServices();
const kafka = new Kafka({
  clientId: 'smoke',
  brokers: services.kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
const registry = new SchemaRegistry({ host: services.schemaRegistryUrl });

const pingV1 = {
  type: 'record',
  name: 'Ping',
  namespace: 'io.cs.smoke',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'count', type: 'int' },
  ],
};

describe('Kafka and the schema registry', () => {
  const topic = uniqueName('smoke');
  const subject = `${topic}-value`;
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('registers a schema, resolves its id and round-trips Avro records through Kafka', async () => {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(pingV1) },
      { subject },
    );
    expect(
      await registry.getRegistryIdBySchema(subject, {
        type: SchemaType.AVRO,
        schema: JSON.stringify(pingV1),
      }),
    ).toBe(id);
    expect(await registry.getLatestSchemaId(subject)).toBe(id);

    const records = [
      { id: 'a', at: Date.parse('2026-03-01T10:00:00.000Z'), count: 1 },
      { id: 'b', at: Date.parse('2026-03-01T10:05:00.000Z'), count: 7 },
    ];
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const encoded = await Promise.all(records.map((record) => registry.encode(id, record)));
    for (const value of encoded) {
      expect(value[0]).toBe(0); // magic byte
      expect(value.readInt32BE(1)).toBe(id); // schema id
    }
    await producer.send({
      topic,
      acks: -1,
      messages: encoded.map((value, i) => ({ key: records[i]?.id ?? '', value })),
    });
    await producer.disconnect();

    // A fresh registry client knows nothing: decoding must fetch the writer schema by id.
    const reader = new SchemaRegistry({ host: services.schemaRegistryUrl });
    const consumer = kafka.consumer({ groupId: uniqueName('smoke_group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const decoded: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value === null) return;
          try {
            decoded.push(await reader.decode(message.value));
          } catch (error: unknown) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
          if (decoded.length === records.length) resolve();
        },
      });
    });
    await consumer.disconnect();
    const byId = (a: unknown, b: unknown) =>
      (a as { id: string }).id.localeCompare((b as { id: string }).id);
    expect([...decoded].sort(byId).map((record) => ({ ...(record as object) }))).toEqual(records);
  });

  it('refuses a schema change that breaks BACKWARD compatibility, accepts one that keeps it', async () => {
    const evolvingSubject = `${uniqueName('evolve')}-value`;
    await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(pingV1) },
      { subject: evolvingSubject },
    );

    // A new required field without a default: a new reader cannot read old records.
    const breaking = { ...pingV1, fields: [...pingV1.fields, { name: 'region', type: 'string' }] };
    await expect(
      registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(breaking) },
        { subject: evolvingSubject },
      ),
    ).rejects.toMatchObject({ status: 409 });

    // The same field, optional with a default: allowed.
    const compatible = {
      ...pingV1,
      fields: [...pingV1.fields, { name: 'region', type: ['null', 'string'], default: null }],
    };
    const v2 = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(compatible) },
      { subject: evolvingSubject },
    );
    expect(await registry.getLatestSchemaId(evolvingSubject)).toBe(v2.id);
  });
});
