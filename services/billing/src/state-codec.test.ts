import { describe, expect, it } from 'vitest';
import { createAccountBilling } from './account-billing.js';
import { applySubscriptionAction } from './apply-subscription-action.js';
import { decodeAccountBilling, encodeAccountBilling } from './state-codec.js';
import { subscriptionRecord as action } from './test-records.test-support.js';

function sampleState() {
  const state = createAccountBilling('acme', 'a1');
  for (const record of [
    action({
      id: 'e1',
      ts: 10,
      action: 'start',
      subscriptionId: 'A',
      amount: '2000',
      billingPeriodMonths: 12,
    }),
    action({ id: 'e3', ts: 30, action: 'cancel', subscriptionId: 'A' }),
    action({ id: 'e2', ts: 20, action: 'start', subscriptionId: 'B', amount: '99.5', quantity: 2 }),
    action({
      id: 'e4',
      ts: 30,
      action: 'renewal',
      subscriptionId: 'B',
      amount: '99.5',
      quantity: 2,
    }),
  ]) {
    applySubscriptionAction(state, record);
  }
  return state;
}

describe('account billing state codec', () => {
  it('round-trips the history and re-derives the same MRR state', () => {
    const state = sampleState();
    const decoded = decodeAccountBilling(encodeAccountBilling(state));
    expect(decoded).toEqual(state);
    // B: 99.5 × 2 = 199 after A (166.666667) was cancelled.
    expect(decoded.mrr).toBe(199_000_000n);
    expect(decoded.everHadMrr).toBe(true);
    expect([...decoded.subscriptions]).toEqual([['B', 199_000_000n]]);
  });

  it('continues exactly where the original would: same outputs for the next action', () => {
    const original = sampleState();
    const restored = decodeAccountBilling(encodeAccountBilling(original));
    const next = action({ id: 'e5', ts: 15, action: 'change', subscriptionId: 'A', amount: '10' });
    expect(applySubscriptionAction(restored, next)).toEqual(
      applySubscriptionAction(original, next),
    );
    expect(applySubscriptionAction(restored, next).outcome).toBe('duplicate');
  });

  it('round-trips an empty account', () => {
    const empty = createAccountBilling('acme', 'a2');
    expect(decodeAccountBilling(encodeAccountBilling(empty))).toEqual(empty);
  });

  it('refuses an unknown version and corrupt records with their codes', () => {
    const encoded = JSON.parse(encodeAccountBilling(sampleState()).toString('utf8')) as Record<
      string,
      unknown
    >;
    const bytes = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
    expect(() => decodeAccountBilling(bytes({ ...encoded, v: 2 }))).toThrow(
      expect.objectContaining({ code: 'state_version_unknown' }),
    );
    expect(() => decodeAccountBilling(Buffer.from('{not json'))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
    expect(() => decodeAccountBilling(bytes({ ...encoded, nextSeq: 2 }))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
    expect(() => decodeAccountBilling(bytes({ ...encoded, history: [{ id: 'x' }] }))).toThrow(
      expect.objectContaining({ code: 'state_corrupt' }),
    );
  });
});
