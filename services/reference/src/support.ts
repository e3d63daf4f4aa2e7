/** `cs.ticket_age(tenant, as_of)`: ticket age in local calendar days, per account, not rolled up. */
import { dayNumber } from './local-time.js';
import type { TenantFacts } from './tenant-facts.js';

export interface TicketAgeRow {
  readonly account_id: string;
  readonly tickets: number;
  readonly open_tickets: number;
  readonly avg_age_days: number;
}

/**
 * Tickets created on or before `asOf` (latest state of each). A ticket counts as closed only when
 * its latest state is `closed` and `closedAt` falls on or before `asOf`; otherwise it is open and
 * ages up to `asOf`.
 */
export function ticketAge(facts: TenantFacts, asOf: string): TicketAgeRow[] {
  const byAccount = new Map<string, { tickets: number; open: number; ageDays: number }>();
  for (const ticket of facts.tickets.values()) {
    const createdDay = facts.calendar.dayOf(ticket.createdAt);
    if (createdDay > asOf) continue;
    const closedDay =
      ticket.status === 'closed' && ticket.closedAt !== null
        ? facts.calendar.dayOf(ticket.closedAt)
        : null;
    const isOpen = closedDay === null || closedDay > asOf;
    const endDay = isOpen ? asOf : closedDay;
    const totals = byAccount.get(ticket.accountId) ?? { tickets: 0, open: 0, ageDays: 0 };
    totals.tickets++;
    if (isOpen) totals.open++;
    totals.ageDays += dayNumber(endDay) - dayNumber(createdDay);
    byAccount.set(ticket.accountId, totals);
  }
  return [...byAccount].map(([accountId, totals]) => ({
    account_id: accountId,
    tickets: totals.tickets,
    open_tickets: totals.open,
    avg_age_days: totals.ageDays / totals.tickets,
  }));
}
