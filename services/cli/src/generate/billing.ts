import { BILLING_PERIODS, ONBOARDING_FEES_CENTS, PLANS } from './catalog.js';
import type { AccountModel } from './hierarchy.js';
import { formatCents } from './money.js';
import { renderEntity } from './records.js';
import type { SubscriptionFields } from './records.js';
import type { TenantStream, TimedLine, Window } from './tenant-stream.js';
import { DAY_MS, HOUR_MS, addUtcMonths, formatUtcDate } from './timestamps.js';

const SUBSCRIBED_SHARE = 0.88;
const MONTHLY_CHANGE = 0.05;
const MONTHLY_CANCEL = 0.035;
const REACTIVATE_SHARE = 0.5;
const UNPAID_SHARE = 0.12;
const ONBOARDING_FEE_SHARE = 0.25;

interface Terms {
  planIndex: number;
  months: 1 | 3 | 12;
  percent: number;
  quantity: number;
}

/** Price per billing period for one unit, in cents: list price × months × period discount. */
function periodCents(terms: Terms): number {
  const plan = PLANS[terms.planIndex];
  if (!plan) throw new RangeError(`no plan ${terms.planIndex}`);
  return Math.round((plan.monthlyCents * terms.months * terms.percent) / 100);
}

function pickTerms(stream: TenantStream): Terms {
  const { rng } = stream;
  const planIndex = rng.int(PLANS.length);
  const plan = PLANS[planIndex];
  let roll = rng.next();
  const period =
    BILLING_PERIODS.find((candidate) => (roll -= candidate.weight) < 0) ?? BILLING_PERIODS[0];
  return {
    planIndex,
    months: period?.months ?? 1,
    percent: period?.percent ?? 100,
    quantity: plan ? rng.between(plan.minQuantity, plan.maxQuantity) : 1,
  };
}

/** An upgrade or downgrade: another plan tier, or more or fewer seats. */
function changeTerms(stream: TenantStream, terms: Terms): Terms {
  const { rng } = stream;
  const up = rng.chance(0.6);
  if (rng.chance(0.5)) {
    const planIndex = Math.min(PLANS.length - 1, Math.max(0, terms.planIndex + (up ? 1 : -1)));
    if (planIndex !== terms.planIndex) return { ...terms, planIndex };
  }
  const delta = rng.between(1, 5);
  return { ...terms, quantity: Math.max(1, terms.quantity + (up ? delta : -delta)) };
}

/**
 * The subscription history and invoices of every account: a start (on joining), renewals and an
 * invoice at each billing period, upgrades/downgrades, cancels and some reactivations (a `start`
 * after a `cancel`). Invoices are recorded unpaid at issue and again, paid, when paid.
 * Sets each account's `renewalDate` to its first renewal.
 */
export function planBilling(
  stream: TenantStream,
  accounts: readonly AccountModel[],
  window: Window,
): TimedLine[] {
  const { rng } = stream;
  const lines: TimedLine[] = [];
  const emit = (ts: number, line: string): void => {
    if (ts < window.endMs) lines.push({ ts, line });
  };

  for (const account of accounts) {
    if (!rng.chance(SUBSCRIBED_SHARE)) continue;
    const subscriptionId = `sub-${account.index + 1}`;
    const subscription = (action: SubscriptionFields['action'], ts: number, terms: Terms): void => {
      const plan = PLANS[terms.planIndex];
      const fields: SubscriptionFields =
        action === 'cancel'
          ? { subscriptionId, accountId: account.accountId, action }
          : {
              subscriptionId,
              accountId: account.accountId,
              action,
              plan: plan?.plan ?? 'unknown',
              billingPeriodMonths: terms.months,
              amount: formatCents(periodCents(terms), { trimWhole: rng.chance(0.3) }),
              quantity: terms.quantity,
              currency: 'USD',
            };
      emit(ts, renderEntity(stream, ts, { type: 'subscription', fields }));
    };
    const invoice = (issuedAt: number, terms: Terms, first: boolean): void => {
      const invoiceId = `inv-${account.index + 1}-${stream.nextId('')}`;
      const fee = first && rng.chance(ONBOARDING_FEE_SHARE) ? rng.pick(ONBOARDING_FEES_CENTS) : 0;
      const fields = {
        invoiceId,
        accountId: account.accountId,
        issuedAt: stream.iso.format(issuedAt),
        recurringAmount: formatCents(periodCents(terms) * terms.quantity),
        ...(fee > 0 ? { nonRecurringAmount: formatCents(fee) } : {}),
        currency: 'USD',
      };
      emit(issuedAt, renderEntity(stream, issuedAt, { type: 'invoice', fields }));
      if (rng.chance(UNPAID_SHARE)) return;
      const paidAt = issuedAt + rng.between(0, 10) * DAY_MS + rng.int(8 * HOUR_MS);
      const paid = { ...fields, paidAt: stream.iso.format(paidAt) };
      emit(paidAt, renderEntity(stream, paidAt, { type: 'invoice', fields: paid }));
    };

    let terms = pickTerms(stream);
    // Billing anchors keep the day of month ≤ 28 so adding months never clamps.
    let periodStart = Math.max(account.joinTs + HOUR_MS, window.startMs);
    const dayOfMonth = new Date(periodStart).getUTCDate();
    if (dayOfMonth > 28) periodStart += (32 - dayOfMonth) * DAY_MS;
    subscription('start', periodStart, terms);
    invoice(periodStart, terms, true);
    account.renewalDate = formatUtcDate(addUtcMonths(periodStart, terms.months));

    while (periodStart < window.endMs) {
      const periodEnd = addUtcMonths(periodStart, terms.months);
      const periodMs = periodEnd - periodStart;
      const monthsInPeriod = terms.months;
      if (rng.chance(MONTHLY_CHANGE * monthsInPeriod)) {
        terms = changeTerms(stream, terms);
        // In the first half of the period, so it always precedes a cancel in the same period.
        subscription('change', periodStart + Math.floor((rng.next() * periodMs) / 2), terms);
      }
      if (rng.chance(MONTHLY_CANCEL * monthsInPeriod)) {
        const cancelTs = periodStart + Math.floor((0.5 + rng.next() / 2) * periodMs);
        subscription('cancel', cancelTs, terms);
        if (!rng.chance(REACTIVATE_SHARE)) break;
        periodStart = cancelTs + rng.between(3, 40) * DAY_MS;
        const day = new Date(periodStart).getUTCDate();
        if (day > 28) periodStart += (32 - day) * DAY_MS;
        terms = rng.chance(0.5) ? terms : pickTerms(stream);
        subscription('start', periodStart, terms);
        invoice(periodStart, terms, false);
        continue;
      }
      periodStart = periodEnd;
      subscription('renewal', periodStart, terms);
      invoice(periodStart, terms, false);
    }
  }
  return lines;
}
