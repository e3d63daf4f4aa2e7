import { describe, expect, it } from 'vitest';
import type { SubscriptionRecord } from '@cs/schemas';
import { createAccountBilling, type AccountBilling } from './account-billing.js';
import { applySubscriptionAction } from './apply-subscription-action.js';
import type { BillingOutput } from './outputs.js';
import { at, subscriptionRecord as action } from './test-records.test-support.js';

const M = 1_000_000n; // one currency unit in micro-units

/** Movements as compact `kind at before→after sign` strings, to read the examples at a glance. */
function movements(outputs: readonly BillingOutput[]): string[] {
  return outputs.flatMap((output) =>
    output.type === 'movement'
      ? [
          `${output.row.sign > 0 ? '+' : '-'}${output.row.kind} ${new Date(output.row.at).toISOString().slice(0, 10)} ${output.row.mrrBefore}→${output.row.mrrAfter}`,
        ]
      : [],
  );
}

function changes(outputs: readonly BillingOutput[]): string[] {
  return outputs.flatMap((output) =>
    output.type === 'account-mrr'
      ? [
          `${output.row.sign > 0 ? '+' : '-'}seq${output.row.seq} ${output.row.mrrBefore}→${output.row.mrrAfter}`,
        ]
      : [],
  );
}

function applyAll(state: AccountBilling, records: readonly SubscriptionRecord[]): BillingOutput[] {
  return records.flatMap((record) => applySubscriptionAction(state, record).outputs);
}

describe('applySubscriptionAction, in order', () => {
  it('start → new, upgrade → expansion, downgrade → contraction, cancel → churn, start → reactivation', () => {
    const state = createAccountBilling('acme', 'a1');
    const steps: Array<[SubscriptionRecord, string[]]> = [
      [
        action({ id: 'e1', ts: at('2026-01-01T00:00:00Z'), action: 'start', amount: '100' }),
        [`+new 2026-01-01 0→${100n * M}`],
      ],
      [
        action({ id: 'e2', ts: at('2026-02-01T00:00:00Z'), action: 'change', amount: '150' }),
        [`+expansion 2026-02-01 ${100n * M}→${150n * M}`],
      ],
      [
        action({ id: 'e3', ts: at('2026-03-01T00:00:00Z'), action: 'change', amount: '120' }),
        [`+contraction 2026-03-01 ${150n * M}→${120n * M}`],
      ],
      [
        action({ id: 'e4', ts: at('2026-04-01T00:00:00Z'), action: 'cancel' }),
        [`+churn 2026-04-01 ${120n * M}→0`],
      ],
      [
        action({ id: 'e5', ts: at('2026-05-01T00:00:00Z'), action: 'start', amount: '80' }),
        [`+reactivation 2026-05-01 0→${80n * M}`],
      ],
    ];
    for (const [record, expected] of steps) {
      const result = applySubscriptionAction(state, record);
      expect(result.outcome).toBe('applied');
      expect(movements(result.outputs)).toEqual(expected);
    }
    expect(state.mrr).toBe(80n * M);
    expect(state.everHadMrr).toBe(true);
  });

  it('gives the delta with its sign: positive for expansion, negative for contraction and churn', () => {
    const state = createAccountBilling('acme', 'a1');
    const outputs = applyAll(state, [
      action({ id: 'e1', ts: 1, action: 'start', amount: '100' }),
      action({ id: 'e2', ts: 2, action: 'renewal', amount: '130' }),
      action({ id: 'e3', ts: 3, action: 'change', amount: '90' }),
      action({ id: 'e4', ts: 4, action: 'cancel' }),
    ]);
    const deltas = outputs.flatMap((o) => (o.type === 'movement' ? [o.row.delta] : []));
    expect(deltas).toEqual([100n * M, 30n * M, -40n * M, -90n * M]);
  });

  it('emits one account MRR change per action, also when the MRR does not move', () => {
    const state = createAccountBilling('acme', 'a1');
    const outputs = applyAll(state, [
      action({ id: 'e1', ts: 1, action: 'start', amount: '2000', billingPeriodMonths: 12 }),
      action({ id: 'e2', ts: 2, action: 'renewal', amount: '2000', billingPeriodMonths: 12 }),
    ]);
    expect(changes(outputs)).toEqual(['+seq0 0→166666667', '+seq1 166666667→166666667']);
    expect(movements(outputs)).toEqual(['+new 1970-01-01 0→166666667']);
  });

  it('two subscriptions: cancelling one of two is a contraction, the last one a churn', () => {
    const state = createAccountBilling('acme', 'a1');
    const outputs = applyAll(state, [
      action({
        id: 'e1',
        ts: at('2026-01-01T00:00:00Z'),
        action: 'start',
        subscriptionId: 'A',
        amount: '100',
        quantity: 3,
      }),
      action({
        id: 'e2',
        ts: at('2026-01-10T00:00:00Z'),
        action: 'start',
        subscriptionId: 'B',
        amount: '600',
        billingPeriodMonths: 12,
      }),
      action({ id: 'e3', ts: at('2026-02-01T00:00:00Z'), action: 'cancel', subscriptionId: 'A' }),
      action({ id: 'e4', ts: at('2026-03-01T00:00:00Z'), action: 'cancel', subscriptionId: 'B' }),
    ]);
    // A: 100 × 3 = 300; B: 600 / 12 = 50.
    expect(movements(outputs)).toEqual([
      `+new 2026-01-01 0→${300n * M}`,
      `+expansion 2026-01-10 ${300n * M}→${350n * M}`,
      `+contraction 2026-02-01 ${350n * M}→${50n * M}`,
      `+churn 2026-03-01 ${50n * M}→0`,
    ]);
  });

  it('a churn and a reactivation in the same month both appear', () => {
    const state = createAccountBilling('acme', 'a1');
    const outputs = applyAll(state, [
      action({ id: 'e1', ts: at('2026-02-20T00:00:00Z'), action: 'start', amount: '100' }),
      action({ id: 'e2', ts: at('2026-03-05T00:00:00Z'), action: 'cancel' }),
      action({
        id: 'e3',
        ts: at('2026-03-20T00:00:00Z'),
        action: 'start',
        subscriptionId: 's2',
        amount: '40',
      }),
    ]);
    expect(movements(outputs)).toEqual([
      `+new 2026-02-20 0→${100n * M}`,
      `+churn 2026-03-05 ${100n * M}→0`,
      `+reactivation 2026-03-20 0→${40n * M}`,
    ]);
  });

  it('a change or renewal of an unknown subscription behaves like start; a second start replaces', () => {
    const state = createAccountBilling('acme', 'a1');
    const outputs = applyAll(state, [
      action({ id: 'e1', ts: 1, action: 'renewal', subscriptionId: 'X', amount: '100' }),
      action({ id: 'e2', ts: 2, action: 'start', subscriptionId: 'X', amount: '60' }),
      action({ id: 'e3', ts: 3, action: 'cancel', subscriptionId: 'unknown' }),
    ]);
    expect(movements(outputs)).toEqual([
      `+new 1970-01-01 0→${100n * M}`,
      `+contraction 1970-01-01 ${100n * M}→${60n * M}`,
    ]);
    expect(changes(outputs).at(-1)).toBe(`+seq2 ${60n * M}→${60n * M}`);
  });

  it('drops a duplicate id and dead-letters an action it cannot price', () => {
    const state = createAccountBilling('acme', 'a1');
    applySubscriptionAction(state, action({ id: 'e1', ts: 1, action: 'start' }));
    const duplicate = applySubscriptionAction(
      state,
      action({ id: 'e1', ts: 0, action: 'start', amount: '5' }),
    );
    expect(duplicate).toMatchObject({ outcome: 'duplicate', outputs: [] });
    const invalid = applySubscriptionAction(
      state,
      action({ id: 'e2', ts: 2, action: 'change', amount: null }),
    );
    expect(invalid).toMatchObject({
      outcome: 'invalid',
      outputs: [],
      reason: 'subscription.amount: required unless action is cancel',
    });
    expect(state.history).toHaveLength(1);
    expect(state.mrr).toBe(100n * M);
  });

  it('refuses an action of another account', () => {
    const state = createAccountBilling('acme', 'a1');
    expect(() =>
      applySubscriptionAction(state, action({ id: 'e1', ts: 1, action: 'start', accountId: 'a2' })),
    ).toThrow(/acme\/a2 applied to the state of acme\/a1/);
  });
});

describe('applySubscriptionAction, out of order', () => {
  it('a late start between two actions retracts the later expansion and states the new ones', () => {
    const state = createAccountBilling('acme', 'a1');
    applyAll(state, [
      action({
        id: 'e1',
        ts: at('2026-01-01T00:00:00Z'),
        action: 'start',
        subscriptionId: 'A',
        amount: '100',
      }),
      action({
        id: 'e3',
        ts: at('2026-03-01T00:00:00Z'),
        action: 'change',
        subscriptionId: 'A',
        amount: '200',
      }),
    ]);
    const late = applySubscriptionAction(
      state,
      action({
        id: 'e2',
        ts: at('2026-02-01T00:00:00Z'),
        action: 'start',
        subscriptionId: 'B',
        amount: '50',
      }),
    );
    expect(movements(late.outputs)).toEqual([
      `-expansion 2026-03-01 ${100n * M}→${200n * M}`,
      `+expansion 2026-02-01 ${100n * M}→${150n * M}`,
      `+expansion 2026-03-01 ${150n * M}→${250n * M}`,
    ]);
    // The late action is seq 2 (third arrival) though it sits second in the history.
    expect(changes(late.outputs)).toEqual([
      `-seq1 ${100n * M}→${200n * M}`,
      `+seq2 ${100n * M}→${150n * M}`,
      `+seq1 ${150n * M}→${250n * M}`,
    ]);
    expect(state.mrr).toBe(250n * M);
  });

  it('late actions turn a new into an expansion, then into churn + reactivation', () => {
    const state = createAccountBilling('acme', 'a1');
    const first = applySubscriptionAction(
      state,
      action({ id: 'b', ts: 30, action: 'start', subscriptionId: 'B', amount: '50' }),
    );
    expect(movements(first.outputs)).toEqual([`+new 1970-01-01 0→${50n * M}`]);

    const startA = applySubscriptionAction(
      state,
      action({ id: 'a1', ts: 10, action: 'start', subscriptionId: 'A', amount: '100' }),
    );
    expect(movements(startA.outputs)).toEqual([
      `-new 1970-01-01 0→${50n * M}`,
      `+new 1970-01-01 0→${100n * M}`,
      `+expansion 1970-01-01 ${100n * M}→${150n * M}`,
    ]);

    const cancelA = applySubscriptionAction(
      state,
      action({ id: 'a2', ts: 20, action: 'cancel', subscriptionId: 'A' }),
    );
    expect(movements(cancelA.outputs)).toEqual([
      `-expansion 1970-01-01 ${100n * M}→${150n * M}`,
      `+churn 1970-01-01 ${100n * M}→0`,
      `+reactivation 1970-01-01 0→${50n * M}`,
    ]);
    expect(state.mrr).toBe(50n * M);
  });

  it('actions with equal ts form one instant, ordered by arrival: one movement for the net change', () => {
    const state = createAccountBilling('acme', 'a1');
    const first = applySubscriptionAction(
      state,
      action({ id: 'e1', ts: 5, action: 'start', subscriptionId: 'A', amount: '100' }),
    );
    expect(movements(first.outputs)).toEqual([`+new 1970-01-01 0→${100n * M}`]);
    const second = applySubscriptionAction(
      state,
      action({ id: 'e2', ts: 5, action: 'start', subscriptionId: 'B', amount: '50' }),
    );
    expect(movements(second.outputs)).toEqual([
      `-new 1970-01-01 0→${100n * M}`,
      `+new 1970-01-01 0→${150n * M}`,
    ]);
    expect(changes(second.outputs)).toEqual([`+seq1 ${100n * M}→${150n * M}`]);

    // Cancelling both at the same instant as their start nets to no movement at all.
    const cancels = applyAll(state, [
      action({ id: 'e3', ts: 5, action: 'cancel', subscriptionId: 'A' }),
      action({ id: 'e4', ts: 5, action: 'cancel', subscriptionId: 'B' }),
    ]);
    expect(movements(cancels)).toEqual([
      `-new 1970-01-01 0→${150n * M}`,
      `+new 1970-01-01 0→${50n * M}`,
      `-new 1970-01-01 0→${50n * M}`,
    ]);
    expect(state.everHadMrr).toBe(false);
  });

  it('equal ts on one subscription: the later arrival wins', () => {
    const upgradeLast = createAccountBilling('acme', 'a1');
    applyAll(upgradeLast, [
      action({ id: 'e1', ts: 5, action: 'start', amount: '100' }),
      action({ id: 'e2', ts: 5, action: 'change', amount: '200' }),
    ]);
    expect(upgradeLast.mrr).toBe(200n * M);
    const startLast = createAccountBilling('acme', 'a1');
    applyAll(startLast, [
      action({ id: 'e2', ts: 5, action: 'change', amount: '200' }),
      action({ id: 'e1', ts: 5, action: 'start', amount: '100' }),
    ]);
    expect(startLast.mrr).toBe(100n * M);
  });
});
