/**
 * `cs.module_usage(tenant, date_from, date_to)` and `cs.feature_usage(...)`: per account (the
 * account on the event / time slice, not rolled up) and module (feature), over a window of days.
 */
import { roundedMsRatio } from './ratios.js';
import type { SessionizedTenant } from './sessions.js';
import type { LocatedUsage, TenantFacts } from './tenant-facts.js';

export interface ModuleUsageRow {
  readonly account_id: string;
  readonly product: string;
  readonly module: string;
  readonly total_time_ms: number;
  readonly total_days_used: number;
  readonly users: number;
  readonly non_users: number;
  readonly time_per_user_per_day_used_ms: number;
  /** Epoch ms of the latest event in the window. */
  readonly last_used: number;
}

export interface FeatureUsageRow {
  readonly account_id: string;
  readonly product: string;
  readonly module: string;
  readonly feature: string;
  readonly total_count: number;
  readonly total_days_used: number;
  readonly users: number;
  readonly non_users: number;
  /** Not rounded: a count ratio, not a time. */
  readonly count_per_user_per_day_used: number;
  readonly last_used: number;
}

interface UseTotals {
  readonly accountId: string;
  readonly product: string;
  readonly module: string;
  readonly feature: string;
  readonly days: Set<string>;
  readonly users: Set<string>;
  readonly userDays: Set<string>;
  count: number;
  timeMs: number;
  lastUsed: number;
}

export interface UsageWindow {
  readonly dateFrom: string;
  readonly dateTo: string;
}

const SEPARATOR = '\u0000';

function collectUse(
  events: readonly LocatedUsage[],
  window: UsageWindow,
  keyOf: (event: LocatedUsage) => string | null,
): Map<string, UseTotals> {
  const uses = new Map<string, UseTotals>();
  for (const event of events) {
    if (event.day < window.dateFrom || event.day > window.dateTo) continue;
    const key = keyOf(event);
    if (key === null) continue;
    let use = uses.get(key);
    if (use === undefined) {
      use = {
        accountId: event.accountId,
        product: event.product,
        module: event.module,
        feature: event.feature,
        days: new Set(),
        users: new Set(),
        userDays: new Set(),
        count: 0,
        timeMs: 0,
        lastUsed: event.ts,
      };
      uses.set(key, use);
    }
    use.days.add(event.day);
    use.users.add(event.userId);
    use.userDays.add(`${event.userId}${SEPARATOR}${event.day}`);
    use.count += event.count;
    if (event.ts > use.lastUsed) use.lastUsed = event.ts;
  }
  return uses;
}

/** Product users of the account who are not among `users`. */
function nonUsers(
  productUsers: Map<string, string[]>,
  accountId: string,
  users: Set<string>,
): number {
  return (productUsers.get(accountId) ?? []).filter((userId) => !users.has(userId)).length;
}

function moduleKey(accountId: string, product: string, module: string): string {
  return `${accountId}${SEPARATOR}${product}${SEPARATOR}${module}`;
}

export function moduleUsage(
  facts: TenantFacts,
  timed: SessionizedTenant,
  productUsers: Map<string, string[]>,
  window: UsageWindow,
): ModuleUsageRow[] {
  const uses = collectUse(facts.usage, window, (event) =>
    moduleKey(event.accountId, event.product, event.module),
  );
  for (const slice of timed.slices) {
    if (slice.day < window.dateFrom || slice.day > window.dateTo) continue;
    const use = uses.get(moduleKey(slice.accountId, slice.product, slice.module));
    // A slice always starts at an event of the same account, module and day, so `use` exists.
    if (use !== undefined) use.timeMs += slice.ms;
  }
  return [...uses.values()].map((use) => ({
    account_id: use.accountId,
    product: use.product,
    module: use.module,
    total_time_ms: use.timeMs,
    total_days_used: use.days.size,
    users: use.users.size,
    non_users: nonUsers(productUsers, use.accountId, use.users),
    time_per_user_per_day_used_ms: roundedMsRatio(use.timeMs, use.userDays.size),
    last_used: use.lastUsed,
  }));
}

export function featureUsage(
  facts: TenantFacts,
  productUsers: Map<string, string[]>,
  window: UsageWindow,
): FeatureUsageRow[] {
  const uses = collectUse(facts.usage, window, (event) =>
    event.feature === ''
      ? null
      : `${moduleKey(event.accountId, event.product, event.module)}${SEPARATOR}${event.feature}`,
  );
  return [...uses.values()].map((use) => ({
    account_id: use.accountId,
    product: use.product,
    module: use.module,
    feature: use.feature,
    total_count: use.count,
    total_days_used: use.days.size,
    users: use.users.size,
    non_users: nonUsers(productUsers, use.accountId, use.users),
    count_per_user_per_day_used: use.count / use.userDays.size,
    last_used: use.lastUsed,
  }));
}
