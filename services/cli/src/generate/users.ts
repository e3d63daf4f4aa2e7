import { MODULES, ROLES, TITLES } from './catalog.js';
import type { AccountModel } from './hierarchy.js';
import { renderEntity } from './records.js';
import type { TenantStream, TimedLine, Window } from './tenant-stream.js';
import { DAY_MS, HOUR_MS } from './timestamps.js';

export interface UserModel {
  userId: string;
  accountIndex: number;
  /** When the user starts (its `user` record, and the earliest usage). */
  startTs: number;
  /** When it moves to `movedAccountIndex`; Infinity when it never moves. */
  moveTs: number;
  movedAccountIndex: number;
  /** Probability of being active on a weekday. */
  engagement: number;
  favoriteModule: number;
  /** A few users are known only from usage events, never from a `user` record. */
  hasRecord: boolean;
  role: string;
  title: string;
}

const MOVE_SHARE = 0.05;
const UNRECORDED_SHARE = 0.02;

/**
 * Spreads `count` users over the accounts: one each first (when there are enough users), then
 * skewed towards the lower account indexes so account sizes vary widely.
 */
export function buildUsers(
  stream: TenantStream,
  count: number,
  accounts: readonly AccountModel[],
  window: Window,
): UserModel[] {
  const { rng } = stream;
  const users: UserModel[] = [];
  for (let index = 0; index < count; index++) {
    const accountIndex =
      index < accounts.length ? index : Math.floor(accounts.length * rng.next() ** 1.7);
    const account = accounts[accountIndex];
    if (!account) throw new RangeError(`no account ${accountIndex}`);
    const joinDay = Math.floor((account.joinTs - window.startMs) / DAY_MS);
    const startDay = rng.chance(0.2) ? rng.between(joinDay, window.days - 1) : joinDay;
    // 06:00–07:00, after the account record and before the day's usage begins at 07:00.
    const startTs = Math.max(
      window.startMs + startDay * DAY_MS + 6 * HOUR_MS + rng.int(HOUR_MS),
      account.joinTs + 1,
    );
    let moveTs = Number.POSITIVE_INFINITY;
    let movedAccountIndex = accountIndex;
    if (accounts.length >= 2 && startDay < window.days - 1 && rng.chance(MOVE_SHARE)) {
      const candidateTs =
        window.startMs + rng.between(startDay + 1, window.days - 1) * DAY_MS + 6 * HOUR_MS;
      const target = rng.pick(accounts);
      if (target.index !== accountIndex && target.joinTs < candidateTs) {
        moveTs = candidateTs + rng.int(HOUR_MS);
        movedAccountIndex = target.index;
      }
    }
    users.push({
      userId: `usr-${index + 1}`,
      accountIndex,
      startTs,
      moveTs,
      movedAccountIndex,
      engagement: 0.15 + 0.75 * rng.next(),
      favoriteModule: rng.int(MODULES.length),
      hasRecord: !rng.chance(UNRECORDED_SHARE),
      role: rng.pick(ROLES),
      title: rng.pick(TITLES),
    });
  }
  return users;
}

/** The `user` records: one at the start, one more when the user moves to another account. */
export function renderUserRecords(
  stream: TenantStream,
  users: readonly UserModel[],
  accounts: readonly AccountModel[],
  window: Window,
): TimedLine[] {
  const lines: TimedLine[] = [];
  const render = (user: UserModel, accountIndex: number, ts: number): void => {
    const accountId = accounts[accountIndex]?.accountId ?? '';
    lines.push({
      ts,
      line: renderEntity(stream, ts, {
        type: 'user',
        fields: {
          userId: user.userId,
          accountId,
          email: `${user.userId}@${accountId}.example.com`,
          role: user.role,
          attributes: { title: user.title },
        },
      }),
    });
  };
  for (const user of users) {
    if (!user.hasRecord) continue;
    render(user, user.accountIndex, user.startTs);
    if (user.moveTs < window.endMs) render(user, user.movedAccountIndex, user.moveTs);
  }
  return lines;
}
