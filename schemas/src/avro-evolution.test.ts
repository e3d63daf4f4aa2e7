import type { Type } from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroType, avroTypeForSchema } from './avro-types.js';
import { usageAvroSchema, type UsageRecord } from './generated/index.js';

// BACKWARD evolution as the codec performs it: a reader resolves the writer's schema to its own.
const v1 = avroType('usage');
const v2 = avroTypeForSchema({
  ...usageAvroSchema,
  fields: [
    ...usageAvroSchema.fields,
    { name: 'sessionHint', type: ['null', 'string'], default: null },
    { name: 'weight', type: 'int', default: 7 },
  ],
});

const v1Record: UsageRecord = {
  id: 'e1',
  tenant: 'acme',
  ts: Date.UTC(2026, 2, 1),
  accountId: 'a',
  userId: 'u',
  product: null,
  module: 'reports',
  feature: null,
  count: 2,
  properties: { k: 'v' },
};

describe('usage schema evolution', () => {
  it('a v2 reader reads a v1 record, applying the new fields’ defaults', () => {
    const read: unknown = v2.fromBuffer(v1.toBuffer(v1Record), v2.createResolver(v1));
    expect(read).toEqual({ ...v1Record, sessionHint: null, weight: 7 });
  });

  it('a v1 reader reads a v2 record, skipping the fields it does not know', () => {
    const v2Record = { ...v1Record, sessionHint: 'tab-3', weight: 1 };
    const read: unknown = v1.fromBuffer(v2.toBuffer(v2Record), v1.createResolver(v2));
    expect(read).toEqual(v1Record);
  });

  it('a new field without a default cannot be read from v1 records', () => {
    const broken = avroTypeForSchema({
      ...usageAvroSchema,
      fields: [...usageAvroSchema.fields, { name: 'mandatory', type: 'string' }],
    });
    expect(() => broken.createResolver(v1)).toThrow(/mandatory/);
  });

  it('a decimal written at another scale is rescaled exactly', () => {
    const amount = (scale: number): Type =>
      avroTypeForSchema({
        type: 'record',
        name: 'M',
        fields: [
          { name: 'a', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale } },
        ],
      });
    const writer = amount(2);
    const reader = amount(6);
    const bytes = writer.toBuffer({ a: '12.5' });
    expect(reader.fromBuffer(bytes, reader.createResolver(writer))).toEqual({ a: '12.5' });
  });
});
