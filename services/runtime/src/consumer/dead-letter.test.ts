import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS, deadLetterRecord } from './dead-letter.js';
import type { SourceRecord } from './outcome.js';

const source: SourceRecord = {
  topic: 'usage',
  partition: 3,
  offset: '42',
  key: Buffer.from('t1/u1'),
  value: Buffer.from([0, 0, 0, 0, 7, 0xff]),
  headers: { trace: 'abc', multi: ['a', 'b'] },
  timestamp: '1700000000000',
};

describe('deadLetterRecord', () => {
  it('keeps the original key, bytes and headers and adds where, why and when', () => {
    const record = deadLetterRecord(
      source,
      { reason: 'bad magic byte', step: 'decode' },
      'dlq',
      new Date('2025-01-02T03:04:05.000Z'),
    );
    expect(record.topic).toBe('dlq');
    expect(record.key).toBe(source.key);
    expect(record.value).toBe(source.value);
    expect(record.headers).toEqual({
      trace: 'abc',
      multi: 'a,b',
      [DLQ_HEADERS.reason]: 'bad magic byte',
      [DLQ_HEADERS.step]: 'decode',
      [DLQ_HEADERS.topic]: 'usage',
      [DLQ_HEADERS.partition]: '3',
      [DLQ_HEADERS.offset]: '42',
      [DLQ_HEADERS.time]: '2025-01-02T03:04:05.000Z',
    });
  });

  it('does not let an original header overwrite the dead-letter headers', () => {
    const record = deadLetterRecord(
      { ...source, headers: { [DLQ_HEADERS.reason]: 'old' } },
      { reason: 'new', step: 'handle' },
      'dlq',
    );
    expect(record.headers?.[DLQ_HEADERS.reason]).toBe('new');
  });
});
