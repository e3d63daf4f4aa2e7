import type { ValidEvent } from '@cs/schemas';

/** One event of a batch the receiver refused (while taking the rest): its position and reasons. */
export interface TransportRefusal {
  index: number;
  errors: string[];
}

/**
 * Where batches go. send() resolves with the events the receiver refused one by one (none for
 * Kafka; the gateway's per-record refusals), and rejects with a CsError whose `retriable` flag
 * drives the retries when the batch as a whole did not get through.
 */
export interface Transport {
  send(events: readonly ValidEvent[]): Promise<readonly TransportRefusal[]>;
  close(): Promise<void>;
}
