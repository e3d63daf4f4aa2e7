/**
 * `cs.account_financials(tenant, as_of)`: MRR at the end of as_of and lifetime revenue up to it;
 * invoice revenue and cashflow month to date (the calendar month of as_of, up to as_of). `_rollup`
 * columns add the account's current descendants.
 */
import { monthOf } from './local-time.js';
import { formatMicros, parseDecimal, toMicros } from './money.js';
import { accountMrrAtEndOf, type MrrMovement } from './revenue.js';
import type { TenantFacts } from './tenant-facts.js';

interface Figures {
  mrr: bigint;
  lifetimeRevenue: bigint;
  recurringInvoiceRevenue: bigint;
  nonRecurringInvoiceRevenue: bigint;
  cashflow: bigint;
}

export interface AccountFinancialsRow {
  readonly account_id: string;
  readonly mrr: string;
  readonly lifetime_revenue: string;
  readonly recurring_invoice_revenue: string;
  readonly non_recurring_invoice_revenue: string;
  readonly invoice_revenue: string;
  readonly cashflow: string;
  readonly mrr_rollup: string;
  readonly lifetime_revenue_rollup: string;
  readonly recurring_invoice_revenue_rollup: string;
  readonly non_recurring_invoice_revenue_rollup: string;
  readonly invoice_revenue_rollup: string;
  readonly cashflow_rollup: string;
}

function zero(): Figures {
  return {
    mrr: 0n,
    lifetimeRevenue: 0n,
    recurringInvoiceRevenue: 0n,
    nonRecurringInvoiceRevenue: 0n,
    cashflow: 0n,
  };
}

/**
 * Rows for every account in `accountIds` (the directory plus every account with billing facts):
 * an account without revenue has a row of zeros here, which the view may leave out.
 */
export function accountFinancials(
  facts: TenantFacts,
  movements: readonly MrrMovement[],
  accountIds: ReadonlySet<string>,
  asOf: string,
): AccountFinancialsRow[] {
  const monthStart = monthOf(asOf);
  const own = new Map<string, Figures>();
  const figuresOf = (accountId: string): Figures => {
    let figures = own.get(accountId);
    if (figures === undefined) {
      figures = zero();
      own.set(accountId, figures);
    }
    return figures;
  };
  for (const [accountId, mrr] of accountMrrAtEndOf(movements, asOf)) figuresOf(accountId).mrr = mrr;
  for (const invoice of facts.invoices.values()) {
    const recurring = toMicros(parseDecimal(invoice.recurringAmount));
    const nonRecurring = toMicros(parseDecimal(invoice.nonRecurringAmount));
    const issuedDay = facts.calendar.dayOf(invoice.issuedAt);
    const figures = figuresOf(invoice.accountId);
    if (issuedDay <= asOf) {
      figures.lifetimeRevenue += recurring + nonRecurring;
      if (issuedDay >= monthStart) {
        figures.recurringInvoiceRevenue += recurring;
        figures.nonRecurringInvoiceRevenue += nonRecurring;
      }
    }
    if (invoice.paidAt !== null) {
      const paidDay = facts.calendar.dayOf(invoice.paidAt);
      if (paidDay >= monthStart && paidDay <= asOf) figures.cashflow += recurring + nonRecurring;
    }
  }
  const rowIds = new Set([...accountIds, ...own.keys()]);
  const rows: AccountFinancialsRow[] = [];
  for (const accountId of rowIds) {
    const figures = own.get(accountId) ?? zero();
    const rollup = zero();
    for (const member of facts.hierarchy.subtree(accountId)) {
      const memberFigures = own.get(member);
      if (memberFigures === undefined) continue;
      rollup.mrr += memberFigures.mrr;
      rollup.lifetimeRevenue += memberFigures.lifetimeRevenue;
      rollup.recurringInvoiceRevenue += memberFigures.recurringInvoiceRevenue;
      rollup.nonRecurringInvoiceRevenue += memberFigures.nonRecurringInvoiceRevenue;
      rollup.cashflow += memberFigures.cashflow;
    }
    rows.push({
      account_id: accountId,
      mrr: formatMicros(figures.mrr),
      lifetime_revenue: formatMicros(figures.lifetimeRevenue),
      recurring_invoice_revenue: formatMicros(figures.recurringInvoiceRevenue),
      non_recurring_invoice_revenue: formatMicros(figures.nonRecurringInvoiceRevenue),
      invoice_revenue: formatMicros(
        figures.recurringInvoiceRevenue + figures.nonRecurringInvoiceRevenue,
      ),
      cashflow: formatMicros(figures.cashflow),
      mrr_rollup: formatMicros(rollup.mrr),
      lifetime_revenue_rollup: formatMicros(rollup.lifetimeRevenue),
      recurring_invoice_revenue_rollup: formatMicros(rollup.recurringInvoiceRevenue),
      non_recurring_invoice_revenue_rollup: formatMicros(rollup.nonRecurringInvoiceRevenue),
      invoice_revenue_rollup: formatMicros(
        rollup.recurringInvoiceRevenue + rollup.nonRecurringInvoiceRevenue,
      ),
      cashflow_rollup: formatMicros(rollup.cashflow),
    });
  }
  return rows;
}
