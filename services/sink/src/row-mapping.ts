import { CsError } from '@cs/runtime';
import type { DerivedName, RecordBySchemaName } from '@cs/schemas';
import {
  date,
  dateTime64,
  nullableDate,
  nullableDateTime64,
  offsetNumber,
} from './clickhouse-values.js';

/** One fact-table row in the shape JSONEachRow reads (column name → value). */
export type FactRow = Record<string, unknown>;

export type RowMappingErrorCode = 'ROW_INVALID';

export type DerivedRecord<N extends DerivedName> = RecordBySchemaName[`derived-${N}`];

type Mapper<N extends DerivedName> = (record: DerivedRecord<N>, offset: string) => FactRow;

const row = (value: FactRow): FactRow => value;

function checkedSign(sign: number, where: string): 1 | -1 {
  if (sign === 1 || sign === -1) return sign;
  throw new CsError<RowMappingErrorCode>(
    'ROW_INVALID',
    `${where}.sign must be 1 or -1, got ${sign}`,
  );
}

/**
 * Derived record → fact-table row, one function per topic. Columns are the snake_case of the Avro
 * fields; Avro nulls become `''` where the column is not Nullable; entity tables get `seq` = the
 * record's offset in its topic (same entity → same key → same partition, so offsets order
 * arrivals, as the fact-table contract asks).
 */
export const ROW_MAPPERS: { readonly [N in DerivedName]: Mapper<N> } = {
  'time-slice': (r) =>
    row({
      tenant: r.tenant,
      user_id: r.userId,
      account_id: r.accountId,
      day: date(r.day),
      session_id: r.sessionId ?? '',
      product: r.product,
      module: r.module,
      ms: r.ms,
      sign: checkedSign(r.sign, 'time-slice'),
    }),
  session: (r) =>
    row({
      tenant: r.tenant,
      session_id: r.sessionId,
      user_id: r.userId,
      account_id: r.accountId,
      day: date(r.day),
      started_at: dateTime64(r.startedAt),
      ended_at: dateTime64(r.endedAt),
      duration_ms: r.durationMs,
      events: r.events,
      module_time_ms: r.moduleTimeMs,
      sign: checkedSign(r.sign, 'session'),
    }),
  // NOTE: needs migration 0008. A late event retried by its producer arrives twice with the same
  // event_id; the table keeps both, and the warning view counts distinct ids.
  'late-event': (r) =>
    row({
      tenant: r.tenant,
      event_id: r.eventId,
      user_id: r.userId,
      account_id: r.accountId,
      ts: dateTime64(r.ts),
      day: date(r.day),
      held_from_day: date(r.heldFromDay),
    }),
  'enriched-usage': (r) =>
    row({
      tenant: r.tenant,
      event_id: r.eventId,
      ts: dateTime64(r.ts),
      day: date(r.day),
      account_id: r.accountId,
      user_id: r.userId,
      product: r.product ?? '',
      module: r.module ?? '',
      feature: r.feature ?? '',
      count: r.count,
      account_path: r.accountPath,
      properties: r.properties,
    }),
  'account-state': (r, offset) =>
    row({
      tenant: r.tenant,
      account_id: r.accountId,
      name: r.name ?? '',
      parent_id: r.parentId,
      join_date: nullableDate(r.joinDate),
      renewal_date: nullableDate(r.renewalDate),
      source: r.source ?? '',
      attributes: r.attributes,
      ts: dateTime64(r.ts),
      day: date(r.day),
      seq: offsetNumber(offset),
    }),
  'user-state': (r, offset) =>
    row({
      tenant: r.tenant,
      user_id: r.userId,
      account_id: r.accountId,
      email: r.email ?? '',
      role: r.role ?? '',
      attributes: r.attributes,
      ts: dateTime64(r.ts),
      day: date(r.day),
      seq: offsetNumber(offset),
    }),
  'hierarchy-edge': (r, offset) =>
    row({
      tenant: r.tenant,
      account_id: r.accountId,
      parent_id: r.parentId,
      ts: dateTime64(r.ts),
      seq: offsetNumber(offset),
    }),
  'mrr-movement': (r) =>
    row({
      tenant: r.tenant,
      account_id: r.accountId,
      at: dateTime64(r.at),
      day: date(r.day),
      kind: r.kind,
      mrr_before: r.mrrBefore,
      mrr_after: r.mrrAfter,
      delta: r.delta,
      sign: checkedSign(r.sign, 'mrr-movement'),
    }),
  // NOTE: `sign` needs migration 0007 (signed MRR rows). seq here is billing's arrival ordinal of the action (it orders actions at the same `at`
  // across re-emissions), not the offset: a corrected row is re-emitted later with the same seq.
  'account-mrr': (r) =>
    row({
      tenant: r.tenant,
      account_id: r.accountId,
      at: dateTime64(r.at),
      day: date(r.day),
      mrr: r.mrr,
      seq: r.seq,
      sign: checkedSign(r.sign, 'account-mrr'),
    }),
  'invoice-state': (r, offset) =>
    row({
      tenant: r.tenant,
      invoice_id: r.invoiceId,
      account_id: r.accountId,
      issued_at: dateTime64(r.issuedAt),
      issued_day: date(r.issuedDay),
      recurring_amount: r.recurringAmount,
      non_recurring_amount: r.nonRecurringAmount,
      paid_at: nullableDateTime64(r.paidAt),
      paid_day: nullableDate(r.paidDay),
      currency: r.currency ?? '',
      ts: dateTime64(r.ts),
      seq: offsetNumber(offset),
    }),
  'ticket-state': (r, offset) =>
    row({
      tenant: r.tenant,
      ticket_id: r.ticketId,
      account_id: r.accountId,
      user_id: r.userId ?? '',
      status: r.status,
      priority: r.priority ?? '',
      ticket_type: r.ticketType ?? '',
      created_at: dateTime64(r.createdAt),
      created_day: date(r.createdDay),
      closed_at: nullableDateTime64(r.closedAt),
      closed_day: nullableDate(r.closedDay),
      ts: dateTime64(r.ts),
      seq: offsetNumber(offset),
    }),
};

export function mapDerived<N extends DerivedName>(
  name: N,
  record: DerivedRecord<N>,
  offset: string,
): FactRow {
  const mapper: Mapper<N> = ROW_MAPPERS[name];
  return mapper(record, offset);
}
