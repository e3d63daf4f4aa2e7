import { describe, expect, it } from 'vitest';
import type { InvoiceRecord, TicketRecord } from '@cs/schemas';
import { reduceLatest } from './latest-state.js';

const invoice = (id: string, ts: number, paidAt: number | null): InvoiceRecord => ({
  id,
  tenant: 'acme',
  ts,
  invoiceId: 'inv-1',
  accountId: 'a1',
  issuedAt: 1_000,
  recurringAmount: '100',
  nonRecurringAmount: '0',
  paidAt,
  currency: 'EUR',
});

const ticket = (id: string, ts: number, status: TicketRecord['status']): TicketRecord => ({
  id,
  tenant: 'acme',
  ts,
  ticketId: 't-1',
  accountId: 'a1',
  userId: null,
  status,
  priority: null,
  ticketType: null,
  createdAt: 1_000,
  closedAt: status === 'closed' ? ts : null,
});

describe('reduceLatest', () => {
  it('takes the first record of an entity', () => {
    const first = invoice('e1', 10, null);
    expect(reduceLatest(undefined, first)).toBe(first);
  });

  it('keeps the record with the latest ts when an older one arrives late', () => {
    const paid = invoice('e2', 20, 15);
    const unpaidEarlier = invoice('e1', 10, null);
    expect(reduceLatest(paid, unpaidEarlier)).toBe(paid);
    expect(reduceLatest(unpaidEarlier, paid)).toBe(paid);
  });

  it('on equal ts the later arrival wins', () => {
    const open = ticket('e1', 10, 'open');
    const closed = ticket('e2', 10, 'closed');
    expect(reduceLatest(open, closed)).toBe(closed);
    expect(reduceLatest(closed, open)).toBe(open);
  });

  it('folds a ticket history delivered out of order to its latest state', () => {
    const arrivals = [
      ticket('e3', 30, 'closed'),
      ticket('e1', 10, 'open'),
      ticket('e2', 20, 'pending'),
    ];
    const latest = arrivals.reduce<TicketRecord | undefined>(reduceLatest, undefined);
    expect(latest?.id).toBe('e3');
    expect(latest?.status).toBe('closed');
  });
});
