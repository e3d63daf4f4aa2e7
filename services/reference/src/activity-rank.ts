/** `cs.user_activity(tenant, as_of)` and `cs.account_activity(tenant, as_of)`. */
import { timeBetween } from './activity.js';
import type { Directory } from './directory.js';
import { addDays } from './local-time.js';
import { activityRanks } from './ratios.js';

export interface UserActivityRow {
  readonly user_id: string;
  readonly account_id: string;
  readonly activity_ms: number;
  readonly activity_rank: number;
}

export interface AccountActivityRow {
  readonly account_id: string;
  readonly activity_ms: number;
  readonly activity_rank: number;
}

const ACTIVITY_WINDOW_DAYS = 7;

/**
 * Users the tenant knows as of `asOf` (a `user` record or usage on or before it), their time over
 * asOf−6 … asOf, and their rank among those users.
 */
export function userActivity(
  directory: Directory,
  timeByDay: Map<string, Map<string, number>>,
  asOf: string,
): UserActivityRow[] {
  const from = addDays(asOf, 1 - ACTIVITY_WINDOW_DAYS);
  const known: Array<{ userId: string; accountId: string; activityMs: number }> = [];
  for (const [userId, since] of directory.userKnownSince) {
    if (since > asOf) continue;
    known.push({
      userId,
      accountId: directory.currentAccount.get(userId) ?? '',
      activityMs: timeBetween(timeByDay.get(userId), from, asOf),
    });
  }
  const ranks = activityRanks(known.map((user) => user.activityMs));
  return known.map((user, index) => ({
    user_id: user.userId,
    account_id: user.accountId,
    activity_ms: user.activityMs,
    activity_rank: ranks[index] ?? 0,
  }));
}

/**
 * Accounts with at least one known user (by the users' current account), with the sum of their
 * users' activity, ranked among those accounts. Own users only: activity does not roll up here.
 */
export function accountActivity(users: readonly UserActivityRow[]): AccountActivityRow[] {
  const byAccount = new Map<string, number>();
  for (const user of users) {
    byAccount.set(user.account_id, (byAccount.get(user.account_id) ?? 0) + user.activity_ms);
  }
  const accounts = [...byAccount];
  const ranks = activityRanks(accounts.map(([, activityMs]) => activityMs));
  return accounts.map(([accountId, activityMs], index) => ({
    account_id: accountId,
    activity_ms: activityMs,
    activity_rank: ranks[index] ?? 0,
  }));
}
