import {
  outcome,
  type HandlerOutcome,
  type RecordDecoder,
  type RecordHandler,
  type SourceRecord,
  type PartitionStates,
} from '@cs/runtime';
import type { Codec, InvoiceRecord, SubscriptionRecord, TicketRecord } from '@cs/schemas';
import type { AccountBillingStore } from './account-billing-store.js';
import {
  billingOutputRecords,
  invoiceStateRecord,
  ticketStateRecord,
  type OutputEncoding,
} from './output-records.js';

/** What billing reads, by input topic. */
export type BillingInput =
  | { readonly type: 'subscription'; readonly record: SubscriptionRecord }
  | { readonly type: 'invoice'; readonly record: InvoiceRecord }
  | { readonly type: 'ticket'; readonly record: TicketRecord };

/** The dead-letter step of an action billing cannot price. */
export const INVALID_ACTION_STEP = 'billing.subscription';

export interface BillingHandlerOptions {
  readonly encoding: OutputEncoding;
  readonly codec: Codec;
  readonly partitions: PartitionStates<AccountBillingStore>;
  readonly onAction?: (outcome: 'applied' | 'duplicate' | 'invalid') => void;
}

/** Decodes by input topic; throwing (a CsError) is the shell's dead letter (or retry). */
export function billingDecoder(options: BillingHandlerOptions): RecordDecoder<BillingInput> {
  const { topics } = options.encoding;
  const { codec } = options;
  return async (source: SourceRecord): Promise<BillingInput> => {
    const bytes = source.value ?? Buffer.alloc(0);
    if (source.topic === topics.invoice) {
      return { type: 'invoice', record: await codec.decode('invoice', bytes) };
    }
    if (source.topic === topics.ticket) {
      return { type: 'ticket', record: await codec.decode('ticket', bytes) };
    }
    return { type: 'subscription', record: await codec.decode('subscription', bytes) };
  };
}

/**
 * Subscriptions go through the account's billing state (restored per partition from the
 * changelog); invoices and tickets are published as states, statelessly (see output-records.ts).
 */
export function billingHandler(options: BillingHandlerOptions): RecordHandler<BillingInput> {
  const { encoding, partitions } = options;
  const { topics } = encoding;
  return async ({ data, source }): Promise<HandlerOutcome> => {
    switch (data.type) {
      case 'invoice':
        return outcome.ok([invoiceStateRecord(data.record, encoding)]);
      case 'ticket':
        return outcome.ok([ticketStateRecord(data.record, encoding)]);
      case 'subscription': {
        const store = await partitions.stateFor(source);
        if (store === undefined) {
          return outcome.retry(
            `restoring the billing state of partition ${source.partition} failed`,
          );
        }
        const { result, rendered, changelog } = store.apply(data.record, (applied) =>
          billingOutputRecords(applied.outputs, encoding),
        );
        partitions.handled(source);
        options.onAction?.(result.outcome);
        if (result.outcome === 'duplicate') return outcome.drop('duplicate subscription action');
        if (result.outcome === 'invalid') return outcome.dlq(result.reason, INVALID_ACTION_STEP);
        return outcome.ok(
          rendered,
          changelog === undefined
            ? []
            : [
                {
                  topic: topics.changelog,
                  key: `${data.record.tenant}/${data.record.accountId}`,
                  value: changelog,
                  // NOTE: changelog partition n belongs to subscription partition n, whatever the
                  // key hashes to: only that partition's transactional producer ever writes it.
                  partition: source.partition,
                },
              ],
        );
      }
    }
  };
}
