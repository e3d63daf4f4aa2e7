import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '@cs/runtime';
import { deadLetterRow, payloadText, tenantOfKey } from './dead-letter-rows.js';

describe('dead-letter rows', () => {
  it('maps the cs-dlq-* headers into dead_letters columns', () => {
    const row = deadLetterRow({
      key: Buffer.from('acme/u1'),
      value: Buffer.from('{"type":"usage"}'),
      headers: {
        [DLQ_HEADERS.topic]: Buffer.from('cs.raw.usage'),
        [DLQ_HEADERS.partition]: '2',
        [DLQ_HEADERS.offset]: Buffer.from('41'),
        [DLQ_HEADERS.step]: 'decode',
        [DLQ_HEADERS.reason]: 'not Confluent wire format',
        [DLQ_HEADERS.time]: '2026-07-01T10:00:00.123Z',
      },
      timestamp: '0',
    });
    expect(row).toEqual({
      tenant: 'acme',
      topic: 'cs.raw.usage',
      source_partition: 2,
      source_offset: 41,
      step: 'decode',
      reason: 'not Confluent wire format',
      received_at: '2026-07-01 10:00:00.123',
      payload: '{"type":"usage"}',
    });
  });

  it('keeps a foreign record with defaults rather than losing it', () => {
    const row = deadLetterRow({ key: null, value: null, headers: {}, timestamp: '1782900000000' });
    expect(row).toMatchObject({
      tenant: '',
      topic: '',
      source_partition: -1,
      source_offset: -1,
      payload: '',
    });
    expect(row.received_at).toBe('2026-07-01 10:00:00.000');
  });

  it('stores binary payloads as base64: and text as text', () => {
    const avro = Buffer.from([0, 0, 0, 0, 7, 2, 65]);
    expect(payloadText(avro)).toBe(`base64:${avro.toString('base64')}`);
    expect(payloadText(Buffer.from([0xff, 0xfe]))).toBe('base64://4=');
    expect(payloadText(Buffer.from('héllo\n'))).toBe('héllo\n');
    // A text that itself starts with the marker is encoded, so the two can always be told apart.
    expect(payloadText(Buffer.from('base64:x'))).toBe(
      `base64:${Buffer.from('base64:x').toString('base64')}`,
    );
  });

  it('reads the tenant from a tenant/… key only when it is a valid tenant', () => {
    expect(tenantOfKey(Buffer.from('acme/a1'))).toBe('acme');
    expect(tenantOfKey(Buffer.from('Not A Tenant/a1'))).toBe('');
    expect(tenantOfKey(Buffer.from('noslash'))).toBe('');
  });
});
