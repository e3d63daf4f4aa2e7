import type { Session } from './outputs.js';
import { sessionIdOf } from './session-id.js';

/**
 * The shared arithmetic of CONTRACT §2 over one user-day held as columns: events sorted by
 * (ts, id), each pointing at an interned (module, product, account) context. Both the one-shot
 * `sessionizeUserDay` and the incremental `applyEvent` use it, over a whole day or over the few
 * sessions an insertion can touch.
 */

/** What an event contributes to time attribution, interned per user (most events share a few). */
export interface EventContext {
  readonly module: string;
  readonly product: string;
  readonly accountId: string;
}

/** One user-day's events, sorted by `ts` then `id` (UTF-16 code-unit order). */
export interface DayColumns {
  readonly ts: readonly number[];
  readonly ids: readonly string[];
  /** Index into the user's context table. */
  readonly contexts: readonly number[];
}

export interface UserDayKey {
  readonly tenant: string;
  readonly userId: string;
  readonly day: string;
}

/** Sessions of a range of a day, and the time of that range per context index (only > 0). */
export interface RangeSessions {
  sessions: Session[];
  timeByContext: Map<number, number>;
}

/** Where (ts, id) belongs in the sorted columns: the first index whose event sorts after it. */
export function insertionIndex(columns: DayColumns, ts: number, id: string): number {
  let low = 0;
  let high = columns.ts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const middleTs = columns.ts[middle] ?? 0;
    const before = middleTs < ts || (middleTs === ts && (columns.ids[middle] ?? '') < id);
    if (before) low = middle + 1;
    else high = middle;
  }
  return low;
}

function gapBefore(columns: DayColumns, index: number): number {
  return (columns.ts[index] ?? 0) - (columns.ts[index - 1] ?? 0);
}

/** The index of the first event of the session that holds `index`. */
export function sessionStartOf(columns: DayColumns, index: number, timeoutMs: number): number {
  let start = index;
  while (start > 0 && gapBefore(columns, start) <= timeoutMs) start -= 1;
  return start;
}

/** One past the last event of the session that holds `index`. */
export function sessionEndOf(columns: DayColumns, index: number, timeoutMs: number): number {
  let end = index + 1;
  while (end < columns.ts.length && gapBefore(columns, end) <= timeoutMs) end += 1;
  return end;
}

function contextAt(
  columns: DayColumns,
  contextTable: readonly EventContext[],
  index: number,
): EventContext {
  const context = contextTable[columns.contexts[index] ?? -1];
  if (context === undefined) throw new Error(`event ${index} points at no context`);
  return context;
}

/**
 * Sessionizes events [from, to) of a day. `from` must start a session and `to` must end one
 * (or be the day's length), so the result is exactly the sessions of that stretch.
 */
export function sessionizeRange(
  columns: DayColumns,
  contextTable: readonly EventContext[],
  key: UserDayKey,
  from: number,
  to: number,
  timeoutMs: number,
): RangeSessions {
  const sessions: Session[] = [];
  const timeByContext = new Map<number, number>();
  let index = from;
  while (index < to) {
    const first = index;
    const moduleTimeMs: Record<string, number> = Object.create(null) as Record<string, number>;
    let next = index + 1;
    while (next < to && gapBefore(columns, next) <= timeoutMs) {
      const gap = gapBefore(columns, next);
      if (gap > 0) {
        // The gap belongs to the earlier event: its module, product and account.
        const contextIndex = columns.contexts[next - 1] ?? -1;
        const { module } = contextAt(columns, contextTable, next - 1);
        moduleTimeMs[module] = (moduleTimeMs[module] ?? 0) + gap;
        timeByContext.set(contextIndex, (timeByContext.get(contextIndex) ?? 0) + gap);
      }
      next += 1;
    }
    const startedAt = columns.ts[first] ?? 0;
    const endedAt = columns.ts[next - 1] ?? 0;
    sessions.push({
      sessionId: sessionIdOf(key.tenant, key.userId, key.day, columns.ids[first] ?? ''),
      tenant: key.tenant,
      userId: key.userId,
      accountId: contextAt(columns, contextTable, first).accountId,
      day: key.day,
      startedAt,
      endedAt,
      durationMs: endedAt - startedAt,
      events: next - first,
      moduleTimeMs,
    });
    index = next;
  }
  return { sessions, timeByContext };
}

/** Whether two sessions are the same row (so a correction need not retract and re-emit it). */
export function sameSession(a: Session, b: Session): boolean {
  if (
    a.sessionId !== b.sessionId ||
    a.accountId !== b.accountId ||
    a.startedAt !== b.startedAt ||
    a.endedAt !== b.endedAt ||
    a.events !== b.events
  ) {
    return false;
  }
  const aModules = Object.keys(a.moduleTimeMs);
  if (aModules.length !== Object.keys(b.moduleTimeMs).length) return false;
  return aModules.every((module) => a.moduleTimeMs[module] === b.moduleTimeMs[module]);
}
