import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  backoffSchedule,
  defaultRetryPolicy,
  type RetryPolicy,
} from './backoff.js';

const policy: RetryPolicy = {
  ...defaultRetryPolicy,
  maxAttempts: 6,
  initialDelayMs: 100,
  maxDelayMs: 1000,
};

describe('backoff', () => {
  it('doubles from the initial delay and caps at the maximum', () => {
    expect(backoffSchedule(policy)).toEqual([100, 200, 400, 800, 1000]);
  });

  it('has maxAttempts − 1 waits (the first try does not wait)', () => {
    expect(backoffSchedule({ ...policy, maxAttempts: 1 })).toEqual([]);
  });

  it('spreads by at most ±20% with jitter and never exceeds the cap', () => {
    expect(backoffDelayMs(policy, 2, 0)).toBe(160);
    expect(backoffDelayMs(policy, 2, 0.999)).toBeLessThanOrEqual(240);
    expect(backoffDelayMs(policy, 10, 0.999)).toBe(1000);
  });
});
