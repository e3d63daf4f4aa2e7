import { describe, expect, it } from 'vitest';
import {
  dedupToken,
  encodeRangeMetadata,
  parseRangeMetadata,
  PartitionBatcher,
  type FormedBatch,
} from './batch-range.js';

const limits = { maxRows: 3, maxWaitMs: 1000 };

function feed(batcher: PartitionBatcher<string>, offsets: number[], now = 0): void {
  for (const offset of offsets) batcher.add(String(offset), `m${offset}`, now);
}

const offsetsOf = (batch: FormedBatch<string> | undefined) =>
  batch?.records.map((item) => item.offset);

describe('dedupToken', () => {
  it('is <table>:<topic>:<partition>:<first>-<last>', () => {
    expect(dedupToken('sessions', 'cs.derived.session', 2, { first: '10', last: '19' })).toBe(
      'sessions:cs.derived.session:2:10-19',
    );
  });
});

describe('range metadata', () => {
  it('round-trips a range', () => {
    const range = { first: '100', last: '9007199254740993' };
    expect(parseRangeMetadata(encodeRangeMetadata(range))).toEqual(range);
  });

  it('reads empty, foreign or malformed metadata as nothing pending', () => {
    for (const metadata of [
      null,
      undefined,
      '',
      'x',
      '{"v":2,"first":"1","last":"2"}',
      '{"v":1,"first":"5","last":"2"}',
      '{"v":1,"first":1,"last":2}',
    ]) {
      expect(parseRangeMetadata(metadata)).toBeUndefined();
    }
  });
});

describe('PartitionBatcher', () => {
  it('cuts by size, one batch in flight at a time', () => {
    const batcher = new PartitionBatcher<string>('0', undefined, limits);
    feed(batcher, [0, 1, 2, 3, 4]);
    const first = batcher.take(0);
    expect(first?.range).toEqual({ first: '0', last: '2' });
    expect(first?.replay).toBe(false);
    expect(batcher.take(0)).toBeUndefined();
    batcher.complete();
    expect(batcher.take(0)).toBeUndefined(); // 2 rows, not due yet
    expect(offsetsOf(batcher.take(1000))).toEqual(['3', '4']); // due by time
  });

  it('cuts by time, and on flush', () => {
    const batcher = new PartitionBatcher<string>('0', undefined, limits);
    feed(batcher, [7], 500);
    expect(batcher.take(1499)).toBeUndefined();
    expect(batcher.dueAt()).toBe(1500);
    expect(batcher.take(1000, true)?.range).toEqual({ first: '7', last: '7' });
  });

  it('cuts after idleWaitMs when nothing else is being written, else after maxWaitMs', () => {
    const batcher = new PartitionBatcher<string>('0', undefined, { ...limits, idleWaitMs: 100 });
    feed(batcher, [0, 1], 0);
    expect(batcher.take(99, false, true)).toBeUndefined();
    expect(batcher.take(500, false, false)).toBeUndefined();
    expect(offsetsOf(batcher.take(100, false, true))).toEqual(['0', '1']);
    // Without idleWaitMs, idle changes nothing.
    const plain = new PartitionBatcher<string>('0', undefined, limits);
    feed(plain, [0], 0);
    expect(plain.take(500, false, true)).toBeUndefined();
    expect(offsetsOf(plain.take(1000, false, false))).toEqual(['0']);
  });

  it('ignores records below the next offset (re-fetched after a retry)', () => {
    const batcher = new PartitionBatcher<string>('5', undefined, limits);
    expect(batcher.add('4', 'old', 0)).toBe('already-seen');
    expect(batcher.add('5', 'new', 0)).toBe('buffered');
    expect(batcher.add('5', 'again', 0)).toBe('already-seen');
    expect(batcher.buffered).toBe(1);
  });

  it('keeps gaps inside a range (transaction markers)', () => {
    const batcher = new PartitionBatcher<string>('0', undefined, limits);
    feed(batcher, [0, 2, 4]);
    expect(batcher.take(0)?.range).toEqual({ first: '0', last: '4' });
  });

  // Regression guard: after a restart kafkajs fetches in other sizes, but the recorded range, not
  // the fetch or the limits, defines the batch.
  it('re-forms a recorded range exactly, whatever the limits and arrival sizes', () => {
    const batcher = new PartitionBatcher<string>('10', { first: '10', last: '16' }, limits);
    feed(batcher, [10, 11, 12, 13], 0);
    expect(batcher.take(5000, true)).toBeUndefined(); // the range's end has not arrived
    feed(batcher, [14, 16, 17, 18], 0);
    const replay = batcher.take(0);
    expect(replay?.replay).toBe(true);
    expect(replay?.range).toEqual({ first: '10', last: '16' });
    expect(offsetsOf(replay)).toEqual(['10', '11', '12', '13', '14', '16']);
    batcher.complete();
    expect(batcher.pending).toBeUndefined();
    expect(offsetsOf(batcher.take(0, true))).toEqual(['17', '18']);
  });

  it('forgets a recorded range the committed offset is already past', () => {
    const batcher = new PartitionBatcher<string>('20', { first: '10', last: '19' }, limits);
    expect(batcher.pending).toBeUndefined();
  });

  it('closes a recorded range whose records are gone (retention) with an empty batch', () => {
    const batcher = new PartitionBatcher<string>('10', { first: '10', last: '12' }, limits);
    feed(batcher, [30]);
    const batch = batcher.take(0);
    expect(batch?.range).toEqual({ first: '10', last: '12' });
    expect(batch?.records).toEqual([]);
    batcher.complete();
    expect(offsetsOf(batcher.take(0, true))).toEqual(['30']);
  });
});
