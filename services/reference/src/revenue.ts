/**
 * Revenue (CONTRACT §2): subscription MRR, account MRR movements, `cs.mrr_monthly` and
 * `cs.account_financials(tenant, as_of)`. Money is bigint micros throughout.
 */
import { monthOf, nextMonth } from './local-time.js';
import { divideHalfUp, formatMicros, MICROS_PER_UNIT, parseDecimal } from './money.js';
import type { TenantFacts } from './tenant-facts.js';

export type MovementKind = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation';

export interface MrrMovement {
  readonly accountId: string;
  readonly at: number;
  readonly day: string;
  readonly kind: MovementKind;
  readonly before: bigint;
  readonly after: bigint;
}

export interface MrrMonthlyRow {
  readonly tenant: string;
  readonly month: string;
  readonly mrr: string;
  readonly active_accounts: number;
  readonly arpa: string | null;
  readonly accounts_at_start: number;
  readonly churned_accounts: number;
  readonly churn_rate: number | null;
  readonly clv: string | null;
  readonly new_mrr: string;
  readonly expansion_mrr: string;
  readonly contraction_mrr: string;
  readonly churn_mrr: string;
  readonly reactivation_mrr: string;
}

/** MRR of one subscription after an action: amount × quantity ÷ period, half up at 6 places. */
export function subscriptionMrr(
  amount: string,
  quantity: number,
  billingPeriodMonths: number,
): bigint {
  const exact = parseDecimal(amount);
  return divideHalfUp(
    exact.numerator * BigInt(quantity) * MICROS_PER_UNIT,
    exact.denominator * BigInt(billingPeriodMonths),
  );
}

function classify(before: bigint, after: bigint, paidBefore: boolean): MovementKind {
  if (before === 0n) return paidBefore ? 'reactivation' : 'new';
  if (after === 0n) return 'churn';
  return after > before ? 'expansion' : 'contraction';
}

/**
 * Replays the subscription history. All actions with the same `ts` form one instant (applied in
 * arrival order, so the later of two same-ts actions on a subscription wins); an account gets at
 * most one movement per instant, from its MRR before the instant to its MRR after.
 */
export function mrrMovements(facts: TenantFacts): MrrMovement[] {
  const actions = [...facts.subscriptionActions].sort(
    (a, b) => a.record.ts - b.record.ts || a.seq - b.seq,
  );
  const subscriptions = new Map<string, { accountId: string; mrr: bigint }>();
  const accountMrr = new Map<string, bigint>();
  const everPaid = new Set<string>();
  const movements: MrrMovement[] = [];
  let index = 0;
  while (index < actions.length) {
    const at = actions[index]?.record.ts ?? 0;
    const before = new Map<string, bigint>();
    for (; index < actions.length; index++) {
      const action = actions[index]?.record;
      if (action === undefined || action.ts !== at) break;
      const mrr =
        action.action === 'cancel'
          ? 0n
          : subscriptionMrr(action.amount, action.quantity, action.billingPeriodMonths);
      const previous = subscriptions.get(action.subscriptionId);
      for (const accountId of [previous?.accountId, action.accountId]) {
        if (accountId !== undefined && !before.has(accountId)) {
          before.set(accountId, accountMrr.get(accountId) ?? 0n);
        }
      }
      if (previous !== undefined) {
        accountMrr.set(
          previous.accountId,
          (accountMrr.get(previous.accountId) ?? 0n) - previous.mrr,
        );
      }
      accountMrr.set(action.accountId, (accountMrr.get(action.accountId) ?? 0n) + mrr);
      subscriptions.set(action.subscriptionId, { accountId: action.accountId, mrr });
    }
    const day = facts.calendar.dayOf(at);
    for (const [accountId, mrrBefore] of before) {
      const mrrAfter = accountMrr.get(accountId) ?? 0n;
      if (mrrAfter === mrrBefore) continue;
      const kind = classify(mrrBefore, mrrAfter, everPaid.has(accountId));
      if (mrrAfter > 0n) everPaid.add(accountId);
      movements.push({ accountId, at, day, kind, before: mrrBefore, after: mrrAfter });
    }
  }
  return movements;
}

/** Each account's MRR at the end of a local day. */
export function accountMrrAtEndOf(
  movements: readonly MrrMovement[],
  day: string,
): Map<string, bigint> {
  const mrr = new Map<string, bigint>();
  for (const movement of movements) {
    if (movement.day <= day) mrr.set(movement.accountId, movement.after);
  }
  return mrr;
}

function sumPositive(mrr: Map<string, bigint>): { total: bigint; paying: number } {
  let total = 0n;
  let paying = 0;
  for (const value of mrr.values()) {
    if (value > 0n) {
      total += value;
      paying++;
    }
  }
  return { total, paying };
}

/** One row per month from the month of the tenant's first movement up to the month of `asOf`. */
export function mrrMonthly(
  tenant: string,
  movements: readonly MrrMovement[],
  asOf: string,
): MrrMonthlyRow[] {
  const first = movements[0];
  if (first === undefined) return [];
  const lastMonth = monthOf(asOf);
  const mrr = new Map<string, bigint>();
  const rows: MrrMonthlyRow[] = [];
  let next = 0;
  for (let month = monthOf(first.day); month <= lastMonth; month = nextMonth(month)) {
    const atStart = new Set<string>();
    for (const [accountId, value] of mrr) if (value > 0n) atStart.add(accountId);
    const churned = new Set<string>();
    const flows: Record<MovementKind, bigint> = {
      new: 0n,
      expansion: 0n,
      contraction: 0n,
      churn: 0n,
      reactivation: 0n,
    };
    for (; next < movements.length; next++) {
      const movement = movements[next];
      if (movement === undefined || monthOf(movement.day) !== month) break;
      mrr.set(movement.accountId, movement.after);
      const amount = movement.after - movement.before;
      flows[movement.kind] += amount < 0n ? -amount : amount;
      if (movement.kind === 'churn' && atStart.has(movement.accountId)) {
        churned.add(movement.accountId);
      }
    }
    const { total, paying } = sumPositive(mrr);
    rows.push({
      tenant,
      month,
      mrr: formatMicros(total),
      active_accounts: paying,
      // Decimal division truncates: ARPA and CLV are truncated, not rounded, at 6 places.
      arpa: paying === 0 ? null : formatMicros(total / BigInt(paying)),
      accounts_at_start: atStart.size,
      churned_accounts: churned.size,
      churn_rate: atStart.size === 0 ? null : churned.size / atStart.size,
      clv:
        paying === 0 || churned.size === 0
          ? null
          : formatMicros((total * BigInt(atStart.size)) / BigInt(paying * churned.size)),
      new_mrr: formatMicros(flows.new),
      expansion_mrr: formatMicros(flows.expansion),
      contraction_mrr: formatMicros(flows.contraction),
      churn_mrr: formatMicros(flows.churn),
      reactivation_mrr: formatMicros(flows.reactivation),
    });
  }
  return rows;
}
