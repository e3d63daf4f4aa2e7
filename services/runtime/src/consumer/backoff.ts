/** How a `retry` outcome (or an unexpected throw) is retried: exponential, capped, bounded. */
export interface RetryPolicy {
  /** Total tries of one record, the first included; after that the record is exhausted. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** Exhausted: dead-letter it and go on, or stop the consumer with an error health. */
  readonly onExhausted: 'dlq' | 'stop';
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  multiplier: 2,
  onExhausted: 'dlq',
};

/**
 * The wait before try number `attempt + 1`, after `attempt` failed tries (attempt ≥ 1):
 * initial × multiplier^(attempt−1), capped. `jitter` in [0, 1) spreads it by up to ±20% so
 * partitions that failed together do not retry in lock step; pass 0.5 for no spread.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, jitter = 0.5): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
  const spread = 1 + (jitter - 0.5) * 0.4;
  return Math.round(Math.min(policy.maxDelayMs, base * spread));
}

/** The whole schedule of waits a record can go through before it is exhausted. */
export function backoffSchedule(policy: RetryPolicy): number[] {
  const waits: number[] = [];
  for (let attempt = 1; attempt < policy.maxAttempts; attempt += 1) {
    waits.push(backoffDelayMs(policy, attempt));
  }
  return waits;
}
