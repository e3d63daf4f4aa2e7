import { describe, expect, it } from 'vitest';
import { invoice, referenceOf, subscription } from './reference.test-support.js';
import { subscriptionMrr } from './revenue.js';

function payingAccounts(count: number, amount: string, at: string): string[] {
  return Array.from({ length: count }, (_, i) =>
    subscription(at, `s${i}`, `a${i}`, 'start', amount),
  );
}

describe('MRR', () => {
  it('turns an annual 2,000 into 166.666667 per month (half up at 6 places)', () => {
    expect(subscriptionMrr('2000', 1, 12)).toBe(166_666_667n);
    expect(subscriptionMrr('1000', 1, 12)).toBe(83_333_333n);
    expect(subscriptionMrr('0.0000005', 1, 1)).toBe(1n);
    expect(subscriptionMrr('10', 3, 6)).toBe(5_000_000n);
    const reference = referenceOf(
      [subscription('2026-01-05T00:00', 's1', 'a1', 'start', '2000', { billingPeriodMonths: 12 })],
      '2026-01-31',
    );
    expect(reference.mrr_monthly).toEqual([
      expect.objectContaining({ month: '2026-01-01', mrr: '166.666667', new_mrr: '166.666667' }),
    ]);
  });

  it('averages 1, 1, 3, 5, 5 into an ARPA of 3', () => {
    const amounts = ['1', '1', '3', '5', '5'];
    const reference = referenceOf(
      amounts.map((amount, i) =>
        subscription('2026-01-05T00:00', `s${i}`, `a${i}`, 'start', amount),
      ),
      '2026-01-31',
    );
    expect(reference.mrr_monthly[0]).toMatchObject({
      mrr: '15.000000',
      active_accounts: 5,
      arpa: '3.000000',
      accounts_at_start: 0,
      churned_accounts: 0,
      churn_rate: null,
      clv: null,
      new_mrr: '15.000000',
    });
  });

  describe('100 accounts paying 3 from April', () => {
    const lines = [
      ...payingAccounts(100, '3', '2026-04-10T00:00'),
      // May: 10 churn.
      ...Array.from({ length: 10 }, (_, i) =>
        subscription('2026-05-15T00:00', `s${i}`, `a${i}`, 'cancel'),
      ),
      // June: a50 churns and reactivates at 4.
      subscription('2026-06-03T00:00', 's50', 'a50', 'cancel'),
      subscription('2026-06-20T00:00', 's50b', 'a50', 'start', '4'),
      // July: an expansion 3 → 5 and a contraction 3 → 1.
      subscription('2026-07-08T00:00', 's60', 'a60', 'change', '5'),
      subscription('2026-07-09T00:00', 's61', 'a61', 'change', '1'),
    ];
    const months = Object.fromEntries(
      referenceOf(lines, '2026-08-15').mrr_monthly.map((row) => [row.month, row]),
    );

    it('has 10 of 100 churning in May: rate 0.1, CLV = ARPA ÷ 0.1', () => {
      expect(months['2026-05-01']).toEqual({
        tenant: 'acme',
        month: '2026-05-01',
        mrr: '270.000000',
        active_accounts: 90,
        arpa: '3.000000',
        accounts_at_start: 100,
        churned_accounts: 10,
        churn_rate: 0.1,
        clv: '30.000000',
        new_mrr: '0.000000',
        expansion_mrr: '0.000000',
        contraction_mrr: '0.000000',
        churn_mrr: '30.000000',
        reactivation_mrr: '0.000000',
      });
    });

    it('counts a churn and reactivation in one month as churned, with both flows', () => {
      expect(months['2026-06-01']).toMatchObject({
        mrr: '271.000000',
        accounts_at_start: 90,
        churned_accounts: 1,
        churn_rate: 1 / 90,
        churn_mrr: '3.000000',
        reactivation_mrr: '4.000000',
        new_mrr: '0.000000',
      });
    });

    it('has a null CLV at zero churn, and positive expansion and contraction', () => {
      expect(months['2026-07-01']).toMatchObject({
        mrr: '271.000000',
        churn_rate: 0,
        clv: null,
        expansion_mrr: '2.000000',
        contraction_mrr: '2.000000',
      });
    });

    it('has a row per month from the first change up to the as-of month', () => {
      expect(Object.keys(months)).toEqual([
        '2026-04-01',
        '2026-05-01',
        '2026-06-01',
        '2026-07-01',
        '2026-08-01',
      ]);
      expect(months['2026-04-01']).toMatchObject({ new_mrr: '300.000000', active_accounts: 100 });
      expect(months['2026-08-01']).toMatchObject({ mrr: '271.000000', accounts_at_start: 90 });
    });
  });

  it('treats all actions at one ts as one instant: a swap is one expansion, not churn + reactivation', () => {
    const reference = referenceOf(
      [
        subscription('2026-01-05T00:00', 's1', 'a1', 'start', '3'),
        subscription('2026-02-05T00:00', 's1', 'a1', 'cancel'),
        subscription('2026-02-05T00:00', 's2', 'a1', 'start', '4'),
      ],
      '2026-02-28',
    );
    expect(reference.mrr_monthly[1]).toMatchObject({
      mrr: '4.000000',
      churned_accounts: 0,
      expansion_mrr: '1.000000',
      churn_mrr: '0.000000',
      reactivation_mrr: '0.000000',
    });
  });
});

describe('account financials', () => {
  // docs/metrics.md, as of 07-20: invoices of P and a child C1 with MRR 5.
  const reference = referenceOf([
    `{"type":"account","id":"p","tenant":"acme","ts":"2026-01-01T00:00:00Z","accountId":"P"}`,
    `{"type":"account","id":"c","tenant":"acme","ts":"2026-01-01T00:00:00Z","accountId":"C1","parentId":"P"}`,
    subscription('2026-05-01T00:00', 'sp', 'P', 'start', '50'),
    subscription('2026-05-01T00:00', 'sc', 'C1', 'start', '5'),
    invoice('2026-06-10T09:00', 'i1', 'P', '100', '20', '2026-06-15T09:00'),
    invoice('2026-07-05T09:00', 'i2', 'P', '100', '50', '2026-07-10T09:00'),
    invoice('2026-07-12T09:00', 'i3', 'P', '80', '0', '2026-07-22T09:00'),
    invoice('2026-06-20T09:00', 'i4', 'P', '40', '0', '2026-07-02T09:00'),
    invoice('2026-07-25T09:00', 'i5', 'P', '1000', '0'),
    invoice('2026-07-03T09:00', 'i6', 'C1', '10', '0', '2026-07-04T09:00'),
  ]);

  it('gives lifetime up to as-of and month-to-date invoice revenue and cashflow', () => {
    const rows = Object.fromEntries(
      reference.account_financials('acme', '2026-07-20').map((row) => [row.account_id, row]),
    );
    expect(rows['P']).toEqual({
      account_id: 'P',
      mrr: '50.000000',
      lifetime_revenue: '390.000000',
      recurring_invoice_revenue: '180.000000',
      non_recurring_invoice_revenue: '50.000000',
      invoice_revenue: '230.000000',
      cashflow: '190.000000',
      mrr_rollup: '55.000000',
      lifetime_revenue_rollup: '400.000000',
      recurring_invoice_revenue_rollup: '190.000000',
      non_recurring_invoice_revenue_rollup: '50.000000',
      invoice_revenue_rollup: '240.000000',
      cashflow_rollup: '200.000000',
    });
    expect(rows['C1']).toMatchObject({ mrr: '5.000000', lifetime_revenue_rollup: '10.000000' });
  });

  it('has no MRR before the first action', () => {
    const rows = reference.account_financials('acme', '2026-04-30');
    expect(rows.find((row) => row.account_id === 'P')).toMatchObject({
      mrr: '0.000000',
      mrr_rollup: '0.000000',
    });
  });
});
