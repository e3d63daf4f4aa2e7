import { TICKET_PRIORITIES, TICKET_TYPES } from './catalog.js';
import type { AccountModel } from './hierarchy.js';
import { renderEntity } from './records.js';
import type { TicketFields } from './records.js';
import type { TenantStream, TimedLine, Window } from './tenant-stream.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './timestamps.js';
import type { UserModel } from './users.js';

const TICKETS_PER_ACCOUNT_MONTH = 0.8;
const PENDING_SHARE = 0.4;
const CLOSED_SHARE = 0.8;

/**
 * Support tickets: each is recorded `open` at creation, maybe `pending` a few hours later, and
 * mostly `closed` within two weeks — later records with the same `ticketId` and a later `ts`.
 */
export function planTickets(
  stream: TenantStream,
  accounts: readonly AccountModel[],
  users: readonly UserModel[],
  window: Window,
): TimedLine[] {
  const { rng } = stream;
  const usersByAccount = new Map<number, UserModel[]>();
  for (const user of users) {
    const list = usersByAccount.get(user.accountIndex) ?? [];
    list.push(user);
    usersByAccount.set(user.accountIndex, list);
  }
  const lines: TimedLine[] = [];
  let ticketNumber = 0;
  for (const account of accounts) {
    const expected = (TICKETS_PER_ACCOUNT_MONTH * window.days) / 30;
    const count = Math.floor(expected * 2 * rng.next() + rng.next());
    const members = usersByAccount.get(account.index) ?? [];
    for (let t = 0; t < count; t++) {
      ticketNumber += 1;
      const createdAt =
        account.joinTs + HOUR_MS + rng.int(Math.max(1, window.endMs - account.joinTs));
      if (createdAt >= window.endMs) continue;
      const author = members.length > 0 && rng.chance(0.8) ? rng.pick(members) : undefined;
      const base: Omit<TicketFields, 'status'> = {
        ticketId: `tkt-${ticketNumber}`,
        accountId: account.accountId,
        ...(author ? { userId: author.userId } : {}),
        priority: rng.pick(TICKET_PRIORITIES),
        ticketType: rng.pick(TICKET_TYPES),
        createdAt: stream.iso.format(createdAt),
      };
      const record = (ts: number, fields: TicketFields): void => {
        if (ts < window.endMs)
          lines.push({ ts, line: renderEntity(stream, ts, { type: 'ticket', fields }) });
      };
      record(createdAt, { ...base, status: 'open' });
      let last = createdAt;
      if (rng.chance(PENDING_SHARE)) {
        last = createdAt + 10 * MINUTE_MS + rng.int(48 * HOUR_MS);
        record(last, { ...base, status: 'pending' });
      }
      if (rng.chance(CLOSED_SHARE)) {
        const closedAt = last + 5 * MINUTE_MS + rng.int(14 * DAY_MS);
        record(closedAt, { ...base, status: 'closed', closedAt: stream.iso.format(closedAt) });
      }
    }
  }
  return lines;
}
