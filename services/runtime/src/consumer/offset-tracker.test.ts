import { describe, expect, it } from 'vitest';
import { CsError } from '../errors.js';
import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits the offset after the last done record, in order', () => {
    const tracker = new OffsetTracker();
    tracker.receive(['10', '11', '12']);
    expect(tracker.committable()).toBeUndefined();
    tracker.markDone('10');
    expect(tracker.committable()).toBe('11');
    tracker.markDone('11');
    tracker.markDone('12');
    expect(tracker.committable()).toBe('13');
    expect(tracker.lastDone()).toBe('12');
    expect(tracker.openCount).toBe(0);
  });

  it('never moves past an open record when a later one finishes first', () => {
    const tracker = new OffsetTracker();
    tracker.receive(['0', '1', '2', '3']);
    tracker.markDone('2');
    tracker.markDone('3');
    expect(tracker.committable()).toBeUndefined();
    tracker.markDone('0');
    expect(tracker.committable()).toBe('1');
    tracker.markDone('1');
    expect(tracker.committable()).toBe('4');
  });

  it('follows received order across offset gaps (compaction, transaction markers)', () => {
    const tracker = new OffsetTracker();
    tracker.receive(['5', '9', '20']);
    tracker.markDone('5');
    tracker.markDone('9');
    expect(tracker.committable()).toBe('10');
    expect(tracker.openCount).toBe(1);
  });

  it('offers nothing new after a commit until more work is done', () => {
    const tracker = new OffsetTracker();
    tracker.receive(['0', '1']);
    tracker.markDone('0');
    tracker.markCommitted('1');
    expect(tracker.committable()).toBeUndefined();
    expect(tracker.uncommittedCount).toBe(1);
    tracker.markDone('1');
    expect(tracker.committable()).toBe('2');
  });

  it('handles 64-bit offsets beyond Number precision', () => {
    const tracker = new OffsetTracker();
    tracker.receive(['9007199254740993']);
    tracker.markDone('9007199254740993');
    expect(tracker.committable()).toBe('9007199254740994');
  });

  it('rejects offsets out of order and unknown or repeated completions', () => {
    const tracker = new OffsetTracker();
    tracker.receive(['3']);
    expect(() => tracker.receive(['2'])).toThrow(CsError);
    expect(() => tracker.markDone('4')).toThrow(/not open/);
    tracker.markDone('3');
    expect(() => tracker.markDone('3')).toThrow(/not open/);
  });
});
