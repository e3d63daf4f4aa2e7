import type { EventType } from './generated/index.js';

/**
 * One valid canonical event per type, with every optional field set, for tests here and in other
 * workspaces. Each call returns fresh objects, so a test may mutate them.
 */
export function validEvents(): Record<EventType, Record<string, unknown>> {
  return {
    usage: {
      type: 'usage',
      id: 'evt-usage-1',
      tenant: 'acme',
      ts: '2026-03-01T10:00:00.000Z',
      accountId: 'acc-1',
      userId: 'user-1',
      product: 'app',
      module: 'reports',
      feature: 'export-csv',
      count: 3,
      properties: { browser: 'firefox' },
    },
    account: {
      type: 'account',
      id: 'evt-account-1',
      tenant: 'acme',
      ts: 1_772_359_200_000,
      accountId: 'acc-1',
      name: 'Initech',
      parentId: 'acc-root',
      joinDate: '2024-02-29',
      renewalDate: '2027-02-28',
      source: 'crm',
      attributes: { segment: 'smb' },
    },
    user: {
      type: 'user',
      id: 'evt-user-1',
      tenant: 'acme',
      ts: '2026-03-01T11:00:00+01:00',
      userId: 'user-1',
      accountId: 'acc-1',
      email: 'ada@example.com',
      role: 'admin',
      attributes: {},
    },
    subscription: {
      type: 'subscription',
      id: 'evt-sub-1',
      tenant: 'acme',
      ts: '2026-03-01T00:00:00Z',
      subscriptionId: 'sub-1',
      accountId: 'acc-1',
      action: 'start',
      plan: 'pro',
      billingPeriodMonths: 12,
      amount: '2000.00',
      quantity: 5,
      currency: 'EUR',
    },
    invoice: {
      type: 'invoice',
      id: 'evt-inv-1',
      tenant: 'acme',
      ts: '2026-03-02T09:30:00.000Z',
      invoiceId: 'inv-1',
      accountId: 'acc-1',
      issuedAt: '2026-03-01T00:00:00.000Z',
      recurringAmount: 166.666667,
      nonRecurringAmount: '0.1',
      paidAt: '2026-03-05T12:00:00.000-05:00',
      currency: 'USD',
    },
    ticket: {
      type: 'ticket',
      id: 'evt-ticket-1',
      tenant: 'acme',
      ts: '2026-03-03T08:00:00.000Z',
      ticketId: 't-1',
      accountId: 'acc-1',
      userId: 'user-1',
      status: 'closed',
      priority: 'high',
      ticketType: 'bug',
      createdAt: '2026-03-01T08:00:00.000Z',
      closedAt: '2026-03-03T08:00:00.000Z',
    },
  };
}

/** The smallest valid event of each type: required fields only. */
export function minimalEvents(): Record<EventType, Record<string, unknown>> {
  const common = { tenant: 'acme', ts: 1_772_359_200_000 };
  return {
    usage: { type: 'usage', id: 'u', ...common, accountId: 'a', userId: 'x' },
    account: { type: 'account', id: 'a', ...common, accountId: 'a' },
    user: { type: 'user', id: 'us', ...common, userId: 'x', accountId: 'a' },
    subscription: {
      type: 'subscription',
      id: 's',
      ...common,
      subscriptionId: 's',
      accountId: 'a',
      action: 'cancel',
    },
    invoice: {
      type: 'invoice',
      id: 'i',
      ...common,
      invoiceId: 'i',
      accountId: 'a',
      issuedAt: 1_772_359_200_000,
    },
    ticket: {
      type: 'ticket',
      id: 't',
      ...common,
      ticketId: 't',
      accountId: 'a',
      status: 'open',
      createdAt: 1_772_359_200_000,
    },
  };
}
