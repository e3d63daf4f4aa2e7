import { describe, expect, it } from 'vitest';
import { InFlightGate } from './in-flight.js';

const p = (partition: number) => ({ topic: 't', partition });

describe('InFlightGate', () => {
  it('does nothing under the cap', () => {
    const gate = new InFlightGate(10);
    expect(gate.add(p(0), 10)).toEqual({ pause: [], resume: [] });
    expect(gate.total).toBe(10);
  });

  it('pauses the busiest partitions first when over the cap', () => {
    const gate = new InFlightGate(10, 5);
    gate.add(p(0), 2);
    gate.add(p(1), 6);
    const change = gate.add(p(2), 4);
    // 12 > 10: pause p1 (6) → 6 unpaused left, still > 5: pause p2 (4) → 2 left.
    expect(change.pause).toEqual([p(1), p(2)]);
    expect(gate.pausedCount).toBe(2);
    expect(gate.isPaused(p(0))).toBe(false);
  });

  it('resumes every paused partition once drained to the resume mark', () => {
    const gate = new InFlightGate(4, 2);
    gate.add(p(0), 3);
    expect(gate.add(p(1), 3).pause).toEqual([p(0), p(1)]);
    expect(gate.release(p(0), 3).resume).toEqual([]);
    expect(gate.total).toBe(3);
    expect(gate.release(p(1), 1).resume).toEqual([p(0), p(1)]);
    expect(gate.total).toBe(2);
    expect(gate.pausedCount).toBe(0);
  });

  it('forgets revoked partitions', () => {
    const gate = new InFlightGate(2, 1);
    gate.add(p(0), 5);
    gate.retain((tp) => tp.partition !== 0);
    expect(gate.total).toBe(0);
    expect(gate.pausedCount).toBe(0);
  });
});
