import { describe, expect, it } from 'vitest';
import { chunkRecords, MAX_REQUEST_BYTES, MAX_REQUEST_RECORDS } from './delivery.js';
import type { OutputRecord } from './outcome.js';

const record = (n: number, bytes: number): OutputRecord => ({
  topic: `t${n % 3}`,
  key: `k${n % 7}`,
  value: Buffer.alloc(bytes, n % 256),
  ...(n % 5 === 0 ? { headers: { h: 'v' } } : {}),
});

describe('chunkRecords', () => {
  it('splits a large unit into requests under the size limit, keeping every record in order', () => {
    const records = Array.from({ length: 20_000 }, (_, n) => record(n, 40 + (n % 400)));
    const chunks = chunkRecords(records);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(records);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, r) => sum + (r.value?.length ?? 0), 0);
      expect(bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      expect(chunk.length).toBeLessThanOrEqual(MAX_REQUEST_RECORDS);
    }
    const tiny = Array.from({ length: 5000 }, (_, n) => record(n, 1));
    expect(chunkRecords(tiny, MAX_REQUEST_BYTES, 2000).map((c) => c.length)).toEqual([
      2000, 2000, 1000,
    ]);
  });

  it('gives a record larger than the limit a request of its own', () => {
    const records = [record(1, 10), record(2, 2000), record(3, 10), record(4, 10)];
    expect(chunkRecords(records, 1000).map((chunk) => chunk.length)).toEqual([1, 1, 2]);
  });

  it('keeps a small unit in one request, and an empty one in none', () => {
    const records = [record(1, 10), record(2, 10)];
    expect(chunkRecords(records)).toEqual([records]);
    expect(chunkRecords([])).toEqual([]);
  });
});
