import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SubscriptionRecord } from '@cs/schemas';
import { createAccountBilling, type AccountBilling } from './account-billing.js';
import { applySubscriptionAction } from './apply-subscription-action.js';
import type { BillingOutput } from './outputs.js';
import { decodeAccountBilling, encodeAccountBilling } from './state-codec.js';

// ---------------------------------------------------------------------------------------------
// CONTRACT §2 "Revenue" by brute force, sharing no code with billing: parse amounts by hand, sort
// the distinct actions of each account by ts (ties: arrival), replay them, list what it emits.
// ---------------------------------------------------------------------------------------------

function microUnits(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
}

function monthlyMicros(record: SubscriptionRecord): bigint {
  if (record.action === 'cancel' || record.amount === null) return 0n;
  const total = microUnits(record.amount) * BigInt(record.quantity);
  const months = BigInt(record.billingPeriodMonths);
  const quotient = total / months;
  return (total % months) * 2n >= months ? quotient + 1n : quotient;
}

/** Net-multiset keys of what an in-order replay emits, over the deliveries seen so far. */
function bruteForce(delivered: readonly SubscriptionRecord[]): Map<string, number> {
  const expected = new Map<string, number>();
  const add = (key: string) => expected.set(key, (expected.get(key) ?? 0) + 1);
  const byAccount = new Map<string, Array<{ record: SubscriptionRecord; arrival: number }>>();
  const seen = new Set<string>();
  for (const record of delivered) {
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    const list = byAccount.get(record.accountId) ?? [];
    list.push({ record, arrival: list.length });
    byAccount.set(record.accountId, list);
  }
  for (const [accountId, list] of byAccount) {
    const ordered = [...list].sort((a, b) => a.record.ts - b.record.ts || a.arrival - b.arrival);
    const perSubscription = new Map<string, bigint>();
    const total = () => [...perSubscription.values()].reduce((sum, mrr) => sum + mrr, 0n);
    let hadMrr = false;
    for (let i = 0; i < ordered.length;) {
      const instant = ordered[i]?.record.ts ?? 0;
      const atStart = total();
      for (; i < ordered.length && ordered[i]?.record.ts === instant; i += 1) {
        const item = ordered[i];
        if (item === undefined) break;
        const before = total();
        if (item.record.action === 'cancel') perSubscription.delete(item.record.subscriptionId);
        else perSubscription.set(item.record.subscriptionId, monthlyMicros(item.record));
        add(`mrr ${accountId} ${instant} ${item.arrival} ${before} ${total()}`);
      }
      const atEnd = total();
      if (atEnd !== atStart) {
        let kind: string;
        if (atStart === 0n) kind = hadMrr ? 'reactivation' : 'new';
        else if (atEnd === 0n) kind = 'churn';
        else kind = atEnd > atStart ? 'expansion' : 'contraction';
        add(`move ${accountId} ${instant} ${kind} ${atStart} ${atEnd} ${atEnd - atStart}`);
      }
      if (atEnd > 0n) hadMrr = true;
    }
  }
  return expected;
}

function outputKey(output: BillingOutput): string {
  const row = output.row;
  return output.type === 'account-mrr'
    ? `mrr ${row.accountId} ${row.at} ${output.row.seq} ${row.mrrBefore} ${row.mrrAfter}`
    : `move ${row.accountId} ${row.at} ${output.row.kind} ${row.mrrBefore} ${row.mrrAfter} ${output.row.delta}`;
}

function addSigned(net: Map<string, number>, outputs: readonly BillingOutput[]): void {
  for (const output of outputs) {
    const key = outputKey(output);
    const count = (net.get(key) ?? 0) + output.row.sign;
    if (count === 0) net.delete(key);
    else net.set(key, count);
  }
}

// ---------------------------------------------------------------------------------------------

const actionArbitrary = fc.record({
  accountId: fc.constantFrom('a1', 'a2'),
  subscriptionId: fc.constantFrom('s1', 's2', 's3'),
  // A small range of instants, so equal ts (one instant, several actions) is common.
  ts: fc.integer({ min: 0, max: 12 }),
  action: fc.constantFrom('start', 'change', 'renewal', 'cancel', 'cancel'),
  amount: fc.constantFrom('0', '100', '2000', '99.99', '0.000001', '15.5'),
  billingPeriodMonths: fc.constantFrom(1, 3, 6, 12, 24),
  quantity: fc.integer({ min: 1, max: 3 }),
});

const historyArbitrary = fc
  .array(actionArbitrary, { minLength: 1, maxLength: 24 })
  .map((drafts) =>
    drafts.map((draft, index): SubscriptionRecord => ({
      ...draft,
      id: `e${index}`,
      tenant: 'acme',
      plan: null,
      currency: 'EUR',
      amount: draft.action === 'cancel' ? null : draft.amount,
    })),
  )
  .chain((records) =>
    fc.tuple(
      // Delivery: every record once, shuffled, plus some redeliveries (same id) anywhere.
      fc.shuffledSubarray(records, { minLength: records.length }),
      fc.array(fc.constantFrom(...records), { maxLength: 4 }),
      fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    ),
  )
  .map(([shuffled, redelivered, positions]) => {
    const delivery = [...shuffled];
    redelivered.forEach((record, index) => {
      delivery.splice((positions[index] ?? 0) % (delivery.length + 1), 0, record);
    });
    return { delivery, restartAt: new Set(positions.map((p) => p % delivery.length)) };
  });

describe('applySubscriptionAction, property', () => {
  it('after every delivery, the net of the signed outputs equals an in-order replay', () => {
    fc.assert(
      fc.property(historyArbitrary, ({ delivery, restartAt }) => {
        let states = new Map<string, AccountBilling>();
        const net = new Map<string, number>();
        delivery.forEach((record, index) => {
          const state =
            states.get(record.accountId) ?? createAccountBilling('acme', record.accountId);
          states.set(record.accountId, state);
          addSigned(net, applySubscriptionAction(state, record).outputs);
          expect(net).toEqual(bruteForce(delivery.slice(0, index + 1)));
          // A restart: the shell restores every state from its changelog encoding.
          if (restartAt.has(index)) {
            states = new Map(
              [...states].map(([key, held]) => [
                key,
                decodeAccountBilling(encodeAccountBilling(held)),
              ]),
            );
          }
        });
        for (const count of net.values()) expect(count).toBe(1);
      }),
      { numRuns: 400 },
    );
  });
});
