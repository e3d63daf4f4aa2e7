import { describe, expect, it } from 'vitest';
import { planBilling } from './billing.js';
import { PLANS } from './catalog.js';
import { buildHierarchy } from './hierarchy.js';
import { planTickets } from './support.js';
import { TenantStream, makeWindow } from './tenant-stream.js';
import { buildUsers } from './users.js';

type Json = Record<string, unknown>;

// A year of billing for 200 accounts: no usage, so it is cheap, and long enough for every path.
const window = makeWindow(Date.UTC(2026, 0, 1), 365);
const stream = new TenantStream(0, 'acme', 7);
const hierarchy = buildHierarchy(stream, 200, window);
const users = buildUsers(stream, 400, hierarchy.accounts, window);
const billing = planBilling(stream, hierarchy.accounts, window).map(
  (t) => JSON.parse(t.line) as Json,
);
const tickets = planTickets(stream, hierarchy.accounts, users, window).map(
  (t) => JSON.parse(t.line) as Json,
);
const cents = (decimal: unknown): number => Math.round(Number(decimal) * 100);

describe('subscriptions', () => {
  const subscriptions = billing.filter((r) => r.type === 'subscription');

  it('has every action, every billing period and reactivations (a start after a cancel)', () => {
    expect(new Set(subscriptions.map((r) => r.action))).toEqual(
      new Set(['start', 'change', 'renewal', 'cancel']),
    );
    expect(new Set(subscriptions.map((r) => r.billingPeriodMonths))).toEqual(
      new Set([1, 3, 12, undefined]),
    );
    const history = new Map<unknown, unknown[]>();
    for (const r of subscriptions)
      history.set(r.subscriptionId, [...(history.get(r.subscriptionId) ?? []), r.action]);
    const reactivated = [...history.values()].filter((actions) =>
      actions.some((a, i) => a === 'start' && actions.slice(0, i).includes('cancel')),
    );
    expect(reactivated.length).toBeGreaterThan(0);
  });

  it('states cancels without an amount and everything else with a USD decimal amount', () => {
    for (const r of subscriptions) {
      if (r.action === 'cancel') expect(r.amount).toBeUndefined();
      else {
        expect(r.amount).toMatch(/^\d+(\.\d{1,2})?$/);
        expect(r.currency).toBe('USD');
        expect(PLANS.map((p) => p.plan)).toContain(r.plan);
      }
    }
  });

  it('changes are upgrades and downgrades of the subscription MRR', () => {
    const mrr = new Map<unknown, number>();
    let up = 0;
    let down = 0;
    for (const r of subscriptions) {
      const next =
        r.action === 'cancel'
          ? 0
          : (cents(r.amount) * Number(r.quantity)) / Number(r.billingPeriodMonths);
      const previous = mrr.get(r.subscriptionId) ?? 0;
      if (r.action === 'change') {
        if (next > previous) up += 1;
        if (next < previous) down += 1;
      }
      mrr.set(r.subscriptionId, next);
    }
    expect(up).toBeGreaterThan(0);
    expect(down).toBeGreaterThan(0);
  });
});

describe('invoices', () => {
  const invoices = billing.filter((r) => r.type === 'invoice');

  it('bill the plan: recurringAmount is amount × quantity of the subscription action at issue', () => {
    const actions = billing.filter((r) => r.type === 'subscription' && r.action !== 'cancel');
    for (const invoice of invoices.slice(0, 200)) {
      const action = actions.find(
        (a) => a.accountId === invoice.accountId && a.ts === invoice.issuedAt,
      );
      expect(action).toBeDefined();
      expect(cents(invoice.recurringAmount)).toBe(cents(action?.amount) * Number(action?.quantity));
    }
  });

  it('are recorded unpaid at issue and again with paidAt later; some stay unpaid; some carry fees', () => {
    const byId = new Map<unknown, Json[]>();
    for (const r of invoices) byId.set(r.invoiceId, [...(byId.get(r.invoiceId) ?? []), r]);
    const states = [...byId.values()];
    expect(states.every((s) => s[0]?.paidAt === undefined && s[0]?.ts === s[0]?.issuedAt)).toBe(
      true,
    );
    const paid = states.filter((s) => s.length === 2);
    expect(paid.length).toBeGreaterThan(states.length * 0.7);
    expect(states.length - paid.length).toBeGreaterThan(0);
    for (const [issued, settled] of paid) {
      expect(settled?.paidAt).toBe(settled?.ts);
      expect(Date.parse(String(settled?.paidAt))).toBeGreaterThanOrEqual(
        Date.parse(String(issued?.issuedAt)),
      );
    }
    expect(invoices.some((r) => r.nonRecurringAmount !== undefined)).toBe(true);
  });
});

describe('tickets', () => {
  it('move from open through pending to closed under one ticketId, with closedAt when closed', () => {
    expect(new Set(tickets.map((r) => r.status))).toEqual(new Set(['open', 'pending', 'closed']));
    const byId = new Map<unknown, Json[]>();
    for (const r of tickets) byId.set(r.ticketId, [...(byId.get(r.ticketId) ?? []), r]);
    for (const states of byId.values()) {
      expect(states[0]?.status).toBe('open');
      const times = states.map((s) => Date.parse(String(s.ts)));
      expect(times.every((t, i) => i === 0 || t > (times[i - 1] ?? 0))).toBe(true);
      for (const s of states) {
        if (s.status === 'closed') expect(s.closedAt).toBe(s.ts);
        expect(s.createdAt).toBe(states[0]?.createdAt);
      }
    }
    expect([...byId.values()].some((s) => s.at(-1)?.status !== 'closed')).toBe(true);
  });
});
