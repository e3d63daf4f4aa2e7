import { CsError } from '@cs/runtime';
import type { ValidEvent } from '@cs/schemas';
import type { Batch, LinePosition } from './batcher.js';
import { withRetries, type RetryPolicy, type Sleep } from './retry.js';

/** The part of @cs/publisher the loader uses (a port, so the flow is testable without Kafka). */
export interface PublishPort {
  start(): Promise<void>;
  publish(events: readonly ValidEvent[]): Promise<unknown>;
}

/** Publishing stopped: `cause` is the publisher's (or RetriesExhausted's) error. */
export class PublishingFailed extends CsError<'PUBLISH_FAILED'> {
  constructor(cause: unknown) {
    super('PUBLISH_FAILED', 'could not publish', { cause });
    this.name = 'PublishingFailed';
  }
}

/**
 * Sends batches one at a time, in input order, while the caller fills the next one.
 *
 * NOTE: one batch in flight, for the whole load. That keeps every key's events in file order
 * (the publisher's idempotent producer, maxInFlightRequests 1, keeps order within a batch; two
 * batches racing would not, when the first is retried), and it makes a failure exact: every
 * line up to the last acknowledged batch is in Kafka, nothing after it was attempted but the
 * failed batch. Reading overlaps sending: the next batch is parsed and validated meanwhile, and
 * submit() waiting for the previous one is what pauses reading (backpressure).
 */
export class BatchSender {
  private inFlight: Promise<void> | undefined;
  private failure: PublishingFailed | undefined;
  private acknowledged = 0;
  private through: LinePosition | undefined;

  constructor(
    private readonly port: PublishPort,
    private readonly policy: RetryPolicy,
    private readonly sleep: Sleep,
  ) {}

  /** Waits for the batch in flight (throwing its failure), then starts sending this one. */
  async submit(batch: Batch): Promise<void> {
    await this.settle();
    this.inFlight = this.deliver(batch);
  }

  /** Waits for the batch in flight; throws if it (or an earlier one) could not be published. */
  async settle(): Promise<void> {
    if (this.inFlight !== undefined) await this.inFlight;
    this.inFlight = undefined;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Events Kafka acknowledged. */
  get published(): number {
    return this.acknowledged;
  }

  /** The last line whose batch was acknowledged: everything up to it is safely in Kafka. */
  get safeThrough(): LinePosition | undefined {
    return this.through;
  }

  private async deliver(batch: Batch): Promise<void> {
    try {
      await withRetries(() => this.port.publish(batch.events), this.policy, this.sleep);
      this.acknowledged += batch.events.length;
      this.through = batch.last;
    } catch (error: unknown) {
      // Kept, not thrown here: the promise is awaited later by settle(), which rethrows it.
      this.failure = new PublishingFailed(error);
    }
  }
}
