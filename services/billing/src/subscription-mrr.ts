import { CsError } from '@cs/runtime';
import { parseDecimal, type SubscriptionRecord } from '@cs/schemas';

export type SubscriptionMrrErrorCode = 'subscription_invalid';

/** The fields of a subscription action that decide its MRR. */
export type MrrInput = Pick<
  SubscriptionRecord,
  'action' | 'amount' | 'quantity' | 'billingPeriodMonths'
>;

const BILLING_PERIODS: ReadonlySet<number> = new Set([1, 3, 6, 12, 24]);

/**
 * Why an action cannot be priced, or `null` when it can. Validation at the edge already enforces
 * these rules (CONTRACT §1); they are checked again because a record that passed an older edge, or
 * was written by another producer, must become a dead letter rather than a wrong MRR.
 */
export function subscriptionMrrProblem(input: MrrInput): string | null {
  if (input.action === 'cancel') return null;
  if (!BILLING_PERIODS.has(input.billingPeriodMonths)) {
    return `subscription.billingPeriodMonths: must be 1, 3, 6, 12 or 24 (got ${input.billingPeriodMonths})`;
  }
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1) {
    return `subscription.quantity: must be an integer ≥ 1 (got ${input.quantity})`;
  }
  if (input.amount === null) return 'subscription.amount: required unless action is cancel';
  const parsed = parseDecimal(input.amount);
  if (!parsed.ok) return `subscription.amount: ${parsed.rule}`;
  if (parsed.units < 0n) return 'subscription.amount: must be ≥ 0';
  return null;
}

/**
 * The subscription's MRR after this action, in micro-units (10^-6): `amount × quantity ÷
 * billingPeriodMonths`, rounded half up to 6 decimals (2000 ÷ 12 = 166.6666666… → 166.666667,
 * the rounding `account_mrr` documents); 0 after `cancel`.
 *
 * NOTE: each subscription is rounded on its own and an account's MRR is the sum of the rounded
 * values, so the account figure always equals the sum of the figures shown per subscription.
 */
export function subscriptionMrr(input: MrrInput): bigint {
  const problem = subscriptionMrrProblem(input);
  if (problem !== null) {
    throw new CsError<SubscriptionMrrErrorCode>('subscription_invalid', problem);
  }
  if (input.action === 'cancel' || input.amount === null) return 0n;
  const parsed = parseDecimal(input.amount);
  if (!parsed.ok) throw new CsError<SubscriptionMrrErrorCode>('subscription_invalid', parsed.rule);
  return divideHalfUp(parsed.units * BigInt(input.quantity), BigInt(input.billingPeriodMonths));
}

/** `numerator ÷ divisor` rounded half up, for numerator ≥ 0 and divisor > 0. */
export function divideHalfUp(numerator: bigint, divisor: bigint): bigint {
  return (numerator * 2n + divisor) / (divisor * 2n);
}
