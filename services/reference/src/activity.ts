/**
 * Daily and 30-day activity, per tenant and per account (own users, and rolled up over the current
 * hierarchy with each user counted once).
 */
import { addDays, dayFromNumber, dayNumber } from './local-time.js';
import { roundedMsRatio } from './ratios.js';
import type { SessionizedTenant } from './sessions.js';
import type { TenantFacts } from './tenant-facts.js';

export interface DailyActivityRow {
  readonly tenant: string;
  readonly day: string;
  readonly active_users: number;
  readonly active_accounts: number;
  readonly sessions: number;
  readonly events: number;
  readonly time_ms: number;
  readonly time_per_active_user_ms: number;
  readonly time_per_active_account_ms: number;
}

export interface MonthlyActivityRow {
  readonly tenant: string;
  /** The last day of the 30-day window d−29 … d. */
  readonly day: string;
  readonly active_users: number;
  readonly active_accounts: number;
  readonly time_ms: number;
  readonly time_per_active_user_ms: number;
  readonly time_per_active_account_ms: number;
}

export interface AccountDailyActivityRow {
  readonly tenant: string;
  readonly account_id: string;
  readonly day: string;
  readonly active_users: number;
  readonly events: number;
  readonly time_ms: number;
}

interface DayTotals {
  readonly users: Set<string>;
  readonly accounts: Set<string>;
  events: number;
  sessions: number;
  timeMs: number;
}

const MAU_WINDOW_DAYS = 30;

function tenantDays(facts: TenantFacts, timed: SessionizedTenant): Map<string, DayTotals> {
  const days = new Map<string, DayTotals>();
  const totalsOf = (day: string): DayTotals => {
    let totals = days.get(day);
    if (totals === undefined) {
      totals = { users: new Set(), accounts: new Set(), events: 0, sessions: 0, timeMs: 0 };
      days.set(day, totals);
    }
    return totals;
  };
  for (const event of facts.usage) {
    const totals = totalsOf(event.day);
    totals.users.add(event.userId);
    totals.accounts.add(event.accountId);
    totals.events++;
  }
  for (const session of timed.sessions) {
    const totals = totalsOf(session.day);
    totals.sessions++;
    totals.timeMs += session.duration_ms;
  }
  return days;
}

export function dailyActivity(facts: TenantFacts, timed: SessionizedTenant): DailyActivityRow[] {
  const rows: DailyActivityRow[] = [];
  for (const [day, totals] of tenantDays(facts, timed)) {
    rows.push({
      tenant: facts.tenant,
      day,
      active_users: totals.users.size,
      active_accounts: totals.accounts.size,
      sessions: totals.sessions,
      events: totals.events,
      time_ms: totals.timeMs,
      time_per_active_user_ms: roundedMsRatio(totals.timeMs, totals.users.size),
      time_per_active_account_ms: roundedMsRatio(totals.timeMs, totals.accounts.size),
    });
  }
  return rows.sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** Counts of members over a sliding window of days: add a day's set, later remove it. */
class WindowMembers {
  private readonly counts = new Map<string, number>();

  add(members: Iterable<string>): void {
    for (const member of members) this.counts.set(member, (this.counts.get(member) ?? 0) + 1);
  }

  remove(members: Iterable<string>): void {
    for (const member of members) {
      const count = (this.counts.get(member) ?? 0) - 1;
      if (count === 0) this.counts.delete(member);
      else this.counts.set(member, count);
    }
  }

  get size(): number {
    return this.counts.size;
  }
}

/** One row per day with activity, over the window d−29 … d (a sliding window over all days). */
export function monthlyActivity(
  facts: TenantFacts,
  timed: SessionizedTenant,
): MonthlyActivityRow[] {
  const days = tenantDays(facts, timed);
  const numbers = [...days.keys()].map(dayNumber).sort((a, b) => a - b);
  const first = numbers[0];
  const last = numbers[numbers.length - 1];
  if (first === undefined || last === undefined) return [];
  const users = new WindowMembers();
  const accounts = new WindowMembers();
  let timeMs = 0;
  const rows: MonthlyActivityRow[] = [];
  for (let n = first; n <= last; n++) {
    const entering = days.get(dayFromNumber(n));
    if (entering !== undefined) {
      users.add(entering.users);
      accounts.add(entering.accounts);
      timeMs += entering.timeMs;
    }
    const leaving = days.get(dayFromNumber(n - MAU_WINDOW_DAYS));
    if (leaving !== undefined) {
      users.remove(leaving.users);
      accounts.remove(leaving.accounts);
      timeMs -= leaving.timeMs;
    }
    if (entering === undefined) continue;
    rows.push({
      tenant: facts.tenant,
      day: dayFromNumber(n),
      active_users: users.size,
      active_accounts: accounts.size,
      time_ms: timeMs,
      time_per_active_user_ms: roundedMsRatio(timeMs, users.size),
      time_per_active_account_ms: roundedMsRatio(timeMs, accounts.size),
    });
  }
  return rows;
}

interface AccountDayTotals {
  readonly users: Set<string>;
  events: number;
  timeMs: number;
}

/**
 * Per account and day. `expand` maps the account on an event or time slice to the accounts it
 * counts for: itself (own figures), or itself and its ancestors (rolled up).
 */
function accountDays(
  facts: TenantFacts,
  timed: SessionizedTenant,
  expand: (accountId: string) => readonly string[],
): AccountDailyActivityRow[] {
  const totals = new Map<string, Map<string, AccountDayTotals>>();
  const totalsOf = (accountId: string, day: string): AccountDayTotals => {
    let byDay = totals.get(accountId);
    if (byDay === undefined) {
      byDay = new Map();
      totals.set(accountId, byDay);
    }
    let entry = byDay.get(day);
    if (entry === undefined) {
      entry = { users: new Set(), events: 0, timeMs: 0 };
      byDay.set(day, entry);
    }
    return entry;
  };
  for (const event of facts.usage) {
    for (const accountId of expand(event.accountId)) {
      const entry = totalsOf(accountId, event.day);
      entry.users.add(event.userId);
      entry.events++;
    }
  }
  for (const slice of timed.slices) {
    for (const accountId of expand(slice.accountId))
      totalsOf(accountId, slice.day).timeMs += slice.ms;
  }
  const rows: AccountDailyActivityRow[] = [];
  for (const [accountId, byDay] of totals) {
    for (const [day, entry] of byDay) {
      rows.push({
        tenant: facts.tenant,
        account_id: accountId,
        day,
        active_users: entry.users.size,
        events: entry.events,
        time_ms: entry.timeMs,
      });
    }
  }
  return rows;
}

export function accountDailyActivity(
  facts: TenantFacts,
  timed: SessionizedTenant,
): AccountDailyActivityRow[] {
  return accountDays(facts, timed, (accountId) => [accountId]);
}

export function accountDailyActivityRollup(
  facts: TenantFacts,
  timed: SessionizedTenant,
): AccountDailyActivityRow[] {
  const chains = new Map<string, string[]>();
  return accountDays(facts, timed, (accountId) => {
    let chain = chains.get(accountId);
    if (chain === undefined) {
      chain = facts.hierarchy.selfAndAncestors(accountId);
      chains.set(accountId, chain);
    }
    return chain;
  });
}

/** A user's time per local day (sum of that day's session durations). */
export function userTimeByDay(timed: SessionizedTenant): Map<string, Map<string, number>> {
  const byUser = new Map<string, Map<string, number>>();
  for (const session of timed.sessions) {
    let byDay = byUser.get(session.user_id);
    if (byDay === undefined) {
      byDay = new Map();
      byUser.set(session.user_id, byDay);
    }
    byDay.set(session.day, (byDay.get(session.day) ?? 0) + session.duration_ms);
  }
  return byUser;
}

/** Total of a user's time over `from` … `to` (inclusive). */
export function timeBetween(
  byDay: Map<string, number> | undefined,
  from: string,
  to: string,
): number {
  let total = 0;
  for (let day = from; day <= to; day = addDays(day, 1)) total += byDay?.get(day) ?? 0;
  return total;
}
