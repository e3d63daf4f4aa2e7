import { CsError } from '@cs/runtime';
import type { FieldError } from '@cs/schemas';

export type SdkErrorCode =
  /** A call's event breaks CONTRACT §1; thrown synchronously, nothing is queued. */
  | 'INVALID_EVENT'
  /** createClient was given options it cannot work with. */
  | 'CONFIG_INVALID'
  /** A call after close(). */
  | 'CLIENT_CLOSED'
  /** maxQueueSize events are waiting for delivery: the transport is down or too slow. */
  | 'QUEUE_FULL'
  /** The gateway could not be reached, or answered 5xx / 429 / 408 (retriable). */
  | 'GATEWAY_UNAVAILABLE'
  /** The gateway refused the batch (other 4xx: a bad write key, a body it will not take). */
  | 'GATEWAY_REFUSED'
  /** A transport failed in a way it did not classify (a bug, not an outage): not retried. */
  | 'DELIVERY_FAILED';

export class SdkError extends CsError<SdkErrorCode> {
  /** For GATEWAY_UNAVAILABLE: the wait the gateway asked for (Retry-After), if any. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: SdkErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(code, message, options);
    this.name = 'SdkError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A call whose event is invalid: names every broken rule (`usage.userId: required`). */
export class InvalidEventError extends SdkError {
  constructor(readonly errors: readonly FieldError[]) {
    super('INVALID_EVENT', `invalid event: ${errors.map((error) => error.message).join('; ')}`);
    this.name = 'InvalidEventError';
  }
}
