import { backoffDelayMs, type RetryPolicy } from '@cs/runtime';

export type RetryLoopErrorCode = 'ABANDONED';

export interface RetryLoopOptions {
  readonly policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs' | 'multiplier'>;
  /** True once the work no longer belongs to us (partition revoked, sink stopping): give up. */
  readonly abandoned: () => boolean;
  readonly onFailure: (error: unknown, attempt: number, delayMs: number) => void;
  readonly sleep?: (ms: number, abandoned: () => boolean) => Promise<void>;
  readonly random?: () => number;
}

/** Thrown when a retried step was given up because it no longer belongs to this member. */
export class Abandoned extends Error {
  readonly code: RetryLoopErrorCode = 'ABANDONED';
  constructor() {
    super('abandoned: the partition was revoked or the sink is stopping');
    this.name = 'Abandoned';
  }
}

/** Sleeps in short slices so an abandoned step stops waiting at once. */
export async function interruptibleSleep(ms: number, abandoned: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !abandoned()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
  }
}

/**
 * Runs `step` until it succeeds, waiting `initial × multiplier^n` (capped, ±20% jitter) between
 * tries — for ever: nothing the sink holds may be dropped because ClickHouse or Kafka is away. It
 * stops only when `abandoned()` (the records are then fetched again by whoever owns them next).
 */
export async function retryUntilDone<T>(
  step: () => Promise<T>,
  options: RetryLoopOptions,
): Promise<T> {
  const sleep = options.sleep ?? interruptibleSleep;
  const random = options.random ?? Math.random;
  const policy = {
    ...options.policy,
    maxAttempts: Number.MAX_SAFE_INTEGER,
    onExhausted: 'stop' as const,
  };
  for (let attempt = 1; ; attempt += 1) {
    if (options.abandoned()) throw new Abandoned();
    try {
      return await step();
    } catch (error) {
      if (error instanceof Abandoned) throw error;
      const delayMs = backoffDelayMs(policy, attempt, random());
      options.onFailure(error, attempt, delayMs);
      await sleep(delayMs, options.abandoned);
    }
  }
}
