import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Type } from 'avsc';
import { describe, expect, it } from 'vitest';
import { CsError } from '@cs/runtime';
import { avroType, avroTypeForSchema } from './avro-types.js';
import { createCodec, wireSchemaId } from './codec.js';
import { AVRO_SCHEMAS, SCHEMA_NAMES, usageAvroSchema } from './generated/index.js';
import type { SchemaIds } from './registry.js';
import { validEvents } from './test-fixtures.js';
import { validateEvent } from './validate.js';

const ids = Object.fromEntries(SCHEMA_NAMES.map((name, index) => [name, index + 1])) as SchemaIds;
const usageV2 = avroTypeForSchema({
  ...usageAvroSchema,
  fields: [...usageAvroSchema.fields, { name: 'extra', type: 'string', default: 'x' }],
});
const plainBytesInvoice = avroTypeForSchema(
  JSON.parse(JSON.stringify(AVRO_SCHEMAS.invoice).replaceAll('"logicalType":"decimal",', '')),
);

// A stand-in for the registry: only getSchema is used when decoding.
function fakeRegistry(failure?: { status?: number; message: string }): SchemaRegistry {
  const writers = new Map<number, Type>([
    [100, usageV2],
    [101, plainBytesInvoice],
    ...SCHEMA_NAMES.map((name): [number, Type] => [ids[name], avroType(name)]),
  ]);
  return {
    getSchema: (id: number) => {
      if (failure) return Promise.reject(Object.assign(new Error(failure.message), failure));
      const writer = writers.get(id);
      if (writer === undefined) {
        return Promise.reject(Object.assign(new Error('not found'), { status: 404 }));
      }
      return Promise.resolve(writer);
    },
  } as unknown as SchemaRegistry;
}

function wire(id: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  return Buffer.concat([header, body]);
}

async function codeOf(promise: Promise<unknown>): Promise<[string, boolean]> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CsError)) throw new Error(`expected a CsError, got ${String(error)}`);
  return [error.code, error.retriable];
}

describe('codec', () => {
  const subscription = validateEvent(validEvents().subscription);
  if (!subscription.ok || subscription.type !== 'subscription') throw new Error('fixture');

  it('encodes in Confluent wire format and decodes to the same record', async () => {
    const codec = createCodec(fakeRegistry(), ids);
    const bytes = codec.encode('subscription', subscription.record);
    expect(bytes[0]).toBe(0);
    expect(wireSchemaId(bytes)).toBe(ids.subscription);
    expect(await codec.decode('subscription', bytes)).toEqual(subscription.record);
  });

  it('resolves a newer writer schema to the reader schema', async () => {
    const usage = validateEvent(validEvents().usage);
    if (!usage.ok) throw new Error('fixture');
    const codec = createCodec(fakeRegistry(), ids);
    const bytes = wire(100, usageV2.toBuffer({ ...usage.record, extra: 'y' }));
    expect(await codec.decode('usage', bytes)).toEqual(usage.record);
  });

  it('refuses to encode a record that does not fit', () => {
    const codec = createCodec(fakeRegistry(), ids);
    const bad = { ...subscription.record, amount: '1.0000001' };
    expect(() => codec.encode('subscription', bad)).toThrow(/amount/);
    const badLong = { ...subscription.record, ts: 1.5 };
    expect(() => codec.encode('subscription', badLong)).toThrow(/ts/);
    // A failed encode leaves nothing behind: the next record encodes as usual.
    expect(codec.encode('subscription', subscription.record)).toEqual(
      wire(ids.subscription, avroType('subscription').toBuffer(subscription.record)),
    );
  });

  it('encodes records of any size, each into bytes of its own', async () => {
    const usage = validateEvent(validEvents().usage);
    if (!usage.ok || usage.type !== 'usage') throw new Error('fixture');
    const codec = createCodec(fakeRegistry(), ids);
    const small = codec.encode('usage', usage.record);
    // Larger than the codec's 64 KiB scratch buffer: it grows and writes again.
    const large = { ...usage.record, properties: { big: 'x'.repeat(100_000) } };
    const bytes = codec.encode('usage', large);
    expect(bytes.equals(wire(ids.usage, avroType('usage').toBuffer(large)))).toBe(true);
    expect(await codec.decode('usage', bytes)).toEqual(large);
    // Earlier results are not overwritten by later encodes.
    expect(await codec.decode('usage', small)).toEqual(usage.record);
    expect(codec.encode('usage', usage.record)).toEqual(small);
  });

  it('classifies what cannot be decoded', async () => {
    const codec = createCodec(fakeRegistry(), ids);
    const good = codec.encode('subscription', subscription.record);
    expect(await codeOf(codec.decode('usage', Buffer.from('{"json":1}')))).toEqual([
      'DECODE_NOT_WIRE_FORMAT',
      false,
    ]);
    expect(await codeOf(codec.decode('usage', wire(999, Buffer.alloc(3))))).toEqual([
      'DECODE_UNKNOWN_SCHEMA',
      false,
    ]);
    expect(await codeOf(codec.decode('usage', wire(ids.subscription, good.subarray(5))))).toEqual([
      'DECODE_INCOMPATIBLE_SCHEMA',
      false,
    ]);
    expect(await codeOf(codec.decode('invoice', wire(101, Buffer.alloc(0))))).toEqual([
      'DECODE_INCOMPATIBLE_SCHEMA',
      false,
    ]);
    expect(await codeOf(codec.decode('subscription', good.subarray(0, 12)))).toEqual([
      'DECODE_CORRUPT_BODY',
      false,
    ]);
  });

  it('marks an unreachable registry as retriable, and asks again next time', async () => {
    const down = fakeRegistry({ message: 'ECONNREFUSED' });
    const up = fakeRegistry();
    let calls = 0;
    const flaky = {
      getSchema: (id: number) => (++calls === 1 ? down : up).getSchema(id),
    } as unknown as SchemaRegistry;
    const codec = createCodec(flaky, ids);
    const usage = validateEvent(validEvents().usage);
    if (!usage.ok) throw new Error('fixture');
    const bytes = wire(100, usageV2.toBuffer({ ...usage.record, extra: 'y' }));
    expect(await codeOf(codec.decode('usage', bytes))).toEqual(['DECODE_UNKNOWN_SCHEMA', true]);
    expect(await codec.decode('usage', bytes)).toEqual(usage.record);
    expect(calls).toBe(2);
  });
});
