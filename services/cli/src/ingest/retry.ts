import { CsError } from '@cs/runtime';

/**
 * Retries an operation that failed for a reason that may pass (Kafka or the registry briefly
 * unreachable), with exponential backoff. Anything not flagged retriable fails at once: an
 * incompatible schema does not get better by waiting.
 */

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
};

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `attempt` (0-based): doubling from the initial delay, capped. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** attempt);
}

export function isRetriable(error: unknown): boolean {
  return error instanceof CsError && error.retriable;
}

/** The error of the last attempt, with how many attempts were made. */
export class RetriesExhausted extends CsError<'RETRIES_EXHAUSTED'> {
  constructor(
    readonly attempts: number,
    readonly last: unknown,
  ) {
    super('RETRIES_EXHAUSTED', `gave up after ${attempts} attempts`, {
      cause: last,
      retriable: false,
    });
    this.name = 'RetriesExhausted';
  }
}

export async function withRetries<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  sleep: Sleep,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error: unknown) {
      if (!isRetriable(error)) throw error;
      if (attempt >= policy.retries) throw new RetriesExhausted(attempt + 1, error);
      await sleep(retryDelay(policy, attempt));
    }
  }
}
