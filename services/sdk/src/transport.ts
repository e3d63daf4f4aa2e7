import type { ValidEvent } from '@cs/schemas';

/** Where batches go. send() rejects with a CsError whose `retriable` flag drives the retries. */
export interface Transport {
  send(events: readonly ValidEvent[]): Promise<void>;
  close(): Promise<void>;
}
