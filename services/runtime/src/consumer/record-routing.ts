import { CsError, errorMessage } from '../errors.js';
import { backoffDelayMs, type RetryPolicy } from './backoff.js';
import type { OutputRecord, RecordDecoder, RecordHandler, SourceRecord } from './outcome.js';

/** What became of one record after decoding, handling and any retries. */
export type RecordDecision =
  | {
      readonly kind: 'ok';
      readonly outputs: readonly OutputRecord[];
      readonly changelog: readonly OutputRecord[];
    }
  | { readonly kind: 'dlq'; readonly reason: string; readonly step: string }
  | { readonly kind: 'drop'; readonly reason: string }
  /** Retries exhausted under the `stop` policy: the consumer must stop, the record stays open. */
  | { readonly kind: 'stop'; readonly reason: string }
  /**
   * The consumer is stopping, the partition was revoked or a heartbeat failed while waiting to
   * retry: the record stays open (not done, not committed) and will be delivered again.
   */
  | { readonly kind: 'abandon'; readonly error?: unknown };

export interface RoutingDeps<T> {
  readonly decode: RecordDecoder<T>;
  readonly handle: RecordHandler<T>;
  readonly retry: RetryPolicy;
  /** Waits `ms`, returning false when it was cut short because the work must be abandoned. */
  readonly wait: (ms: number) => Promise<boolean>;
  /** Called before every retry, for the retries counter. */
  readonly onRetry?: (reason: string, attempt: number) => void;
  readonly random?: () => number;
}

type Attempt =
  | { readonly kind: 'decided'; readonly decision: RecordDecision }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly delayMs?: number;
      readonly step: string;
    };

/**
 * Decodes and handles one record, retrying as the policy says. The rules:
 * - decode throws → dead letter with step `decode` (never a crash loop), unless it throws a CsError
 *   marked `retriable` (a registry that is down is not a bad record) → retried like `retry`;
 * - handler returns `retry` → waits (its `delayMs` or the backoff) and tries again; after
 *   `maxAttempts` tries: dead letter with step `retry`, or `stop`, as the policy says;
 * - handler throws → retried as above, but an exhausted throw always ends in the dead-letter topic
 *   (step `handle`) — and a CsError with `retriable: false` goes there at once;
 * - `ok` / `dlq` / `drop` are final.
 */
export async function routeRecord<T>(
  source: SourceRecord,
  deps: RoutingDeps<T>,
): Promise<RecordDecision> {
  const random = deps.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    const result = await attemptOnce(source, attempt, deps);
    if (result.kind === 'decided') return result.decision;
    if (attempt >= deps.retry.maxAttempts) {
      const reason = `retries exhausted after ${attempt} attempts: ${result.reason}`;
      if (result.step === 'retry' && deps.retry.onExhausted === 'stop')
        return { kind: 'stop', reason };
      return { kind: 'dlq', reason, step: result.step };
    }
    deps.onRetry?.(result.reason, attempt);
    const delay = result.delayMs ?? backoffDelayMs(deps.retry, attempt, random());
    if (!(await deps.wait(delay))) return { kind: 'abandon' };
  }
}

async function attemptOnce<T>(
  source: SourceRecord,
  attempt: number,
  deps: RoutingDeps<T>,
): Promise<Attempt> {
  let data: T;
  try {
    data = await deps.decode(source);
  } catch (error) {
    if (error instanceof CsError && error.retriable) {
      return { kind: 'retry', reason: `decode: ${error.message}`, step: 'decode' };
    }
    return decided({ kind: 'dlq', reason: errorMessage(error), step: 'decode' });
  }
  try {
    const result = await deps.handle({ data, source, attempt });
    switch (result.kind) {
      case 'ok':
        return decided({
          kind: 'ok',
          outputs: result.outputs ?? [],
          changelog: result.changelog ?? [],
        });
      case 'drop':
        return decided({ kind: 'drop', reason: result.reason });
      case 'dlq':
        return decided({ kind: 'dlq', reason: result.reason, step: result.step });
      case 'retry':
        return {
          kind: 'retry',
          reason: result.reason,
          step: 'retry',
          ...(result.delayMs === undefined ? {} : { delayMs: result.delayMs }),
        };
    }
  } catch (error) {
    const reason = `handler threw: ${errorMessage(error)}`;
    if (error instanceof CsError && !error.retriable)
      return decided({ kind: 'dlq', reason, step: 'handle' });
    return { kind: 'retry', reason, step: 'handle' };
  }
}

function decided(decision: RecordDecision): Attempt {
  return { kind: 'decided', decision };
}
