import type { UsageRecord } from '@cs/schemas';
import { CsError } from '@cs/runtime';
import { sessionizeRange, type EventContext, type DayColumns } from './day-columns.js';
import { localDay } from './local-day.js';
import type { Session, TimeSlice } from './outputs.js';

export type SessionizeErrorCode = 'mixed_user_day';

/** The fields of a usage event that sessions and time depend on. */
export type SessionizableEvent = Pick<
  UsageRecord,
  'id' | 'tenant' | 'userId' | 'accountId' | 'ts' | 'module' | 'product'
>;

export interface SessionizeOptions {
  /** A gap longer than this starts a new session; a gap equal to it continues the session. */
  timeoutMs: number;
  /** The tenant's IANA time zone, which decides the day; UTC by default. */
  timeZone?: string;
}

export interface UserDaySessions {
  sessions: Session[];
  /** One per (account, module, product) with time > 0, in first-use order. */
  timeSlices: TimeSlice[];
}

/**
 * CONTRACT §2 for one user's events of one local day, all at once: dedup by id (the first wins),
 * order by ts then id, split where a gap exceeds the timeout. Refuses events of several users or
 * days, since sessions never cross either.
 */
export function sessionizeUserDay(
  events: readonly SessionizableEvent[],
  options: SessionizeOptions,
): UserDaySessions {
  const first = events[0];
  if (first === undefined) return { sessions: [], timeSlices: [] };
  const timeZone = options.timeZone ?? 'UTC';
  const key = { tenant: first.tenant, userId: first.userId, day: localDay(first.ts, timeZone) };

  const seen = new Set<string>();
  const distinct: SessionizableEvent[] = [];
  for (const event of events) {
    const day = localDay(event.ts, timeZone);
    if (event.tenant !== key.tenant || event.userId !== key.userId || day !== key.day) {
      throw new CsError<SessionizeErrorCode>(
        'mixed_user_day',
        `event ${event.id} is ${event.tenant}/${event.userId} on ${day}, not ${key.tenant}/${key.userId} on ${key.day}`,
      );
    }
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    distinct.push(event);
  }
  distinct.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const contextTable: EventContext[] = [];
  const contextIndex = new Map<string, number>();
  const columns: DayColumns & { contexts: number[] } = {
    ts: distinct.map((event) => event.ts),
    ids: distinct.map((event) => event.id),
    contexts: [],
  };
  for (const event of distinct) {
    const context = {
      module: event.module ?? '',
      product: event.product ?? '',
      accountId: event.accountId,
    };
    const contextKey = JSON.stringify([context.module, context.product, context.accountId]);
    let index = contextIndex.get(contextKey);
    if (index === undefined) {
      index = contextTable.length;
      contextTable.push(context);
      contextIndex.set(contextKey, index);
    }
    columns.contexts.push(index);
  }

  const { sessions, timeByContext } = sessionizeRange(
    columns,
    contextTable,
    key,
    0,
    distinct.length,
    options.timeoutMs,
  );
  const timeSlices: TimeSlice[] = [];
  for (const [index, ms] of timeByContext) {
    const context = contextTable[index];
    if (context === undefined) continue;
    timeSlices.push({ ...key, ...context, ms });
  }
  return { sessions, timeSlices };
}
