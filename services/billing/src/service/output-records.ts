import type { OutputRecord } from '@cs/runtime';
import { formatDecimal, type Codec, type InvoiceRecord, type TicketRecord } from '@cs/schemas';
import type { BillingOutput } from '../index.js';
import type { BillingTopics } from './billing-topics.js';
import type { TenantDay } from '@cs/sessionizer';

export interface OutputEncoding {
  readonly topics: BillingTopics;
  readonly codec: Codec;
  readonly dayOf: TenantDay;
}

/**
 * Billing's outputs as derived records, keyed `tenant/accountId` (the default partitioner keeps an
 * account's retractions and additions in order on one partition of each derived topic). Money goes
 * out as exact decimals; `day` is the local date of `at`.
 */
export function billingOutputRecords(
  outputs: readonly BillingOutput[],
  encoding: OutputEncoding,
): OutputRecord[] {
  const { topics, codec, dayOf } = encoding;
  return outputs.map((output): OutputRecord => {
    const row = output.row;
    const key = `${row.tenant}/${row.accountId}`;
    const base = { tenant: row.tenant, accountId: row.accountId, at: row.at };
    const day = dayOf(row.tenant, row.at);
    if (output.type === 'movement') {
      return {
        topic: topics.mrrMovement,
        key,
        value: codec.encode('derived-mrr-movement', {
          ...base,
          day,
          kind: output.row.kind,
          mrrBefore: formatDecimal(output.row.mrrBefore),
          mrrAfter: formatDecimal(output.row.mrrAfter),
          delta: formatDecimal(output.row.delta),
          sign: output.row.sign,
        }),
      };
    }
    return {
      topic: topics.accountMrr,
      key,
      value: codec.encode('derived-account-mrr', {
        ...base,
        day,
        mrr: formatDecimal(output.row.mrrAfter),
        seq: output.row.seq,
        sign: output.row.sign,
      }),
    };
  });
}

/**
 * An invoice record as an `invoices` state row. Stateless: every accepted record is published and
 * the warehouse keeps the latest (`ts`, `seq`) per invoice, seq being the derived record's offset:
 * records of one account share a key, so the derived partition keeps their arrival order, which
 * is the `reduceLatest` rule (equal ts: the later arrival).
 */
export function invoiceStateRecord(record: InvoiceRecord, encoding: OutputEncoding): OutputRecord {
  const { topics, codec, dayOf } = encoding;
  return {
    topic: topics.invoiceState,
    key: `${record.tenant}/${record.accountId}`,
    value: codec.encode('derived-invoice-state', {
      tenant: record.tenant,
      invoiceId: record.invoiceId,
      accountId: record.accountId,
      issuedAt: record.issuedAt,
      issuedDay: dayOf(record.tenant, record.issuedAt),
      recurringAmount: record.recurringAmount,
      nonRecurringAmount: record.nonRecurringAmount,
      paidAt: record.paidAt,
      paidDay: record.paidAt === null ? null : dayOf(record.tenant, record.paidAt),
      currency: record.currency,
      ts: record.ts,
    }),
  };
}

/** A ticket record as a `tickets` state row; stateless like invoices. */
export function ticketStateRecord(record: TicketRecord, encoding: OutputEncoding): OutputRecord {
  const { topics, codec, dayOf } = encoding;
  return {
    topic: topics.ticketState,
    key: `${record.tenant}/${record.accountId}`,
    value: codec.encode('derived-ticket-state', {
      tenant: record.tenant,
      ticketId: record.ticketId,
      accountId: record.accountId,
      userId: record.userId,
      status: record.status,
      priority: record.priority,
      ticketType: record.ticketType,
      createdAt: record.createdAt,
      createdDay: dayOf(record.tenant, record.createdAt),
      closedAt: record.closedAt,
      closedDay: record.closedAt === null ? null : dayOf(record.tenant, record.closedAt),
      ts: record.ts,
    }),
  };
}
