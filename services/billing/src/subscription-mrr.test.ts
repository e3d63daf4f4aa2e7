import { describe, expect, it } from 'vitest';
import { subscriptionMrr, subscriptionMrrProblem } from './subscription-mrr.js';

const price = (amount: string | null, quantity = 1, billingPeriodMonths = 1) => ({
  action: 'start' as const,
  amount,
  quantity,
  billingPeriodMonths,
});

describe('subscriptionMrr', () => {
  it('annual 2,000 is 166.666667 a month (2000 / 12 = 166.6666…, rounded half up)', () => {
    expect(subscriptionMrr(price('2000', 1, 12))).toBe(166_666_667n);
  });

  it('monthly 100 × quantity 3 is 300', () => {
    expect(subscriptionMrr(price('100', 3))).toBe(300_000_000n);
  });

  it('rounds other periods to 6 decimals: quarterly 100 → 33.333333, 24 months 1000 → 41.666667', () => {
    expect(subscriptionMrr(price('100', 1, 3))).toBe(33_333_333n);
    expect(subscriptionMrr(price('1000', 1, 24))).toBe(41_666_667n);
    expect(subscriptionMrr(price('99.99', 2, 6))).toBe(33_330_000n);
  });

  it('rounds an exact half up: 0.000006 / 12 = 0.5 micro → 1, 0.000018 / 12 = 1.5 → 2, 0.000005 / 12 → 0', () => {
    expect(subscriptionMrr(price('0.000006', 1, 12))).toBe(1n);
    expect(subscriptionMrr(price('0.000018', 1, 12))).toBe(2n);
    expect(subscriptionMrr(price('0.000005', 1, 12))).toBe(0n);
  });

  it('is 0 after cancel, whatever the amount', () => {
    expect(subscriptionMrr({ ...price('100'), action: 'cancel' })).toBe(0n);
    expect(subscriptionMrr({ ...price(null), action: 'cancel' })).toBe(0n);
  });

  it('names the field and rule of an action it cannot price', () => {
    expect(subscriptionMrrProblem(price(null))).toBe(
      'subscription.amount: required unless action is cancel',
    );
    expect(subscriptionMrrProblem(price('10', 1, 7))).toMatch(/^subscription.billingPeriodMonths/);
    expect(subscriptionMrrProblem(price('10', 0))).toMatch(/^subscription.quantity/);
    expect(subscriptionMrrProblem(price('-1'))).toBe('subscription.amount: must be ≥ 0');
    expect(() => subscriptionMrr(price(null))).toThrow(/amount/);
  });
});
