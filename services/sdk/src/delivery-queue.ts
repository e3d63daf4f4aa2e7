import { CsError, errorMessage } from '@cs/runtime';
import type { ValidEvent } from '@cs/schemas';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Clock } from './clock.js';
import { SdkError } from './errors.js';
import type { TransportRefusal } from './transport.js';

/**
 * Sends one batch; resolves with the events refused one by one, rejects with a CsError whose
 * `retriable` says whether trying the whole batch again may help.
 */
export type SendBatch = (events: readonly ValidEvent[]) => Promise<readonly TransportRefusal[]>;

/** Called once per batch that could not be delivered (after retries, or at once if not retriable). */
export type DeliveryErrorHandler = (error: CsError, events: readonly ValidEvent[]) => void;

export interface DeliveryOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Retries after the first attempt, for retriable failures. */
  maxRetries: number;
  backoff: BackoffOptions;
  maxQueueSize: number;
  clock: Clock;
  random: () => number;
  send: SendBatch;
  onError: DeliveryErrorHandler;
}

export interface FlushResult {
  /** Events delivered while this flush ran. */
  delivered: number;
  /** Events handed to onError while this flush ran. */
  failed: number;
}

/**
 * Holds validated events until a batch is full or the interval passes, then sends batches one at
 * a time, in call order (so one key's events reach the transport in the order they were made),
 * retrying retriable failures with backoff. A batch that still fails goes to onError with its
 * events: nothing is dropped without the caller hearing of it.
 */
export class DeliveryQueue {
  private queue: ValidEvent[] = [];
  private enqueued = 0;
  private taken = 0;
  /** Everything enqueued before this count is to be sent now, full batch or not. */
  private flushThrough = 0;
  private timer: { cancel(): void } | undefined;
  private running: Promise<void> | undefined;
  private delivered = 0;
  private failed = 0;

  constructor(private readonly options: DeliveryOptions) {}

  /** Queues a validated event; throws QUEUE_FULL rather than grow without bound. */
  enqueue(event: ValidEvent): void {
    if (this.queue.length >= this.options.maxQueueSize) {
      throw new SdkError(
        'QUEUE_FULL',
        `${this.queue.length} events are waiting for delivery (maxQueueSize); the transport is down or too slow`,
        { retriable: true },
      );
    }
    this.queue.push(event);
    this.enqueued += 1;
    if (this.queue.length >= this.options.batchSize) void this.kick();
    else this.armTimer();
  }

  /** Sends everything queued so far; resolves when it was delivered or handed to onError. */
  async flush(): Promise<FlushResult> {
    const before = { delivered: this.delivered, failed: this.failed };
    this.flushThrough = this.enqueued;
    // The loop may be running on behalf of an earlier trigger: wait until it has passed our mark.
    while (this.taken < this.flushThrough || this.running !== undefined) await this.kick();
    return { delivered: this.delivered - before.delivered, failed: this.failed - before.failed };
  }

  /** Events queued and not yet taken into a batch. */
  get size(): number {
    return this.queue.length;
  }

  /** Stops the interval timer (for close(); flush() still sends what is left). */
  stopTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private kick(): Promise<void> {
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private due(): boolean {
    if (this.queue.length === 0) return false;
    return this.queue.length >= this.options.batchSize || this.taken < this.flushThrough;
  }

  private async loop(): Promise<void> {
    while (this.due()) {
      const batch = this.queue.splice(0, this.options.batchSize);
      this.taken += batch.length;
      await this.deliver(batch);
    }
    if (this.queue.length > 0) this.armTimer();
  }

  private armTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = this.options.clock.setTimer(this.options.flushIntervalMs, () => {
      this.timer = undefined;
      this.flushThrough = Math.max(this.flushThrough, this.enqueued);
      void this.kick();
    });
  }

  private async deliver(batch: ValidEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const refusals = await this.options.send(batch);
        this.delivered += batch.length - refusals.length;
        if (refusals.length > 0) this.reportRefusals(refusals, batch);
        return;
      } catch (thrown: unknown) {
        const error: CsError =
          thrown instanceof CsError
            ? (thrown as CsError)
            : new SdkError('DELIVERY_FAILED', errorMessage(thrown), { cause: thrown });
        if (!error.retriable || attempt >= this.options.maxRetries) {
          this.failed += batch.length;
          this.report(error, batch);
          return;
        }
        const retryAfterMs = error instanceof SdkError ? error.retryAfterMs : undefined;
        await this.options.clock.sleep(
          backoffDelay(attempt, this.options.backoff, this.options.random, retryAfterMs),
        );
      }
    }
  }

  private reportRefusals(
    refusals: readonly TransportRefusal[],
    batch: readonly ValidEvent[],
  ): void {
    this.failed += refusals.length;
    const events = refusals.flatMap((refusal) => {
      const event = batch[refusal.index];
      return event === undefined ? [] : [event];
    });
    const first = refusals[0];
    const detail = first === undefined ? '' : `; the first: ${first.errors.join('; ')}`;
    this.report(
      new SdkError('GATEWAY_REFUSED', `the receiver refused ${refusals.length} events${detail}`),
      events,
    );
  }

  private report(error: CsError, batch: readonly ValidEvent[]): void {
    try {
      this.options.onError(error, batch);
    } catch (handlerError: unknown) {
      // A throwing handler must not wedge delivery of the batches after this one.
      process.emitWarning(`cs sdk: onError threw: ${errorMessage(handlerError)}`);
    }
  }
}
