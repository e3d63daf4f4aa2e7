import type { EventContext } from './day-columns.js';
import { dayNumberOf, dayString } from './local-day.js';
import type { Session } from './outputs.js';

/**
 * What the sessionizer keeps per user (key tenant/userId): the events of the held local days,
 * compactly, so an out-of-order event can be placed and its user-day corrected; and the ids that
 * make dedup exact over that horizon. Everything else (the sessions emitted so far) is derived:
 * the net of what was emitted for a held day always equals the sessions of its held events.
 *
 * Layout per held day: three parallel arrays sorted by (ts, id): `ts` (doubles), `ids` (the
 * event id strings) and `contexts` (small ints into the user's table of distinct
 * (module, product, account) triples, which most events share). See README for bytes per user.
 */

export interface HeldDay {
  readonly dayNumber: number;
  readonly day: string;
  readonly ts: number[];
  readonly ids: string[];
  readonly contexts: number[];
  /**
   * Not persisted: the day's last session as emitted, so an in-order append extends it without
   * scanning back. `undefined` means "recompute from the columns when needed".
   */
  lastSession: Session | undefined;
}

export interface UserState {
  readonly tenant: string;
  readonly userId: string;
  /** The newest local day seen for the user (day number): the horizon's anchor. */
  latestDay: number | null;
  /** The oldest local day still held; events of earlier days are late. Only moves forward. */
  heldFromDay: number | null;
  /** Held days, oldest first. */
  days: HeldDay[];
  /** Distinct (module, product, account) triples that held events point at. */
  contexts: EventContext[];
  /** Not persisted: context key → index into `contexts`. */
  readonly contextIndex: Map<string, number>;
  /** Not persisted: the context interned last, since a user's consecutive events mostly share it. */
  lastContext: number;
  /** Not persisted: the ids of every held event, for exact dedup over the horizon. */
  readonly heldIds: Set<string>;
  /**
   * Ids no longer held that dedup still remembers, oldest first, at most `recentIdsMax`: the
   * events of released days (their last ones, nearest the horizon, are the likeliest to be
   * retried) and late events.
   */
  recentIds: string[];
  /** Not persisted: `recentIds` as a set. */
  readonly recentIdSet: Set<string>;
}

export function createUserState(tenant: string, userId: string): UserState {
  return {
    tenant,
    userId,
    latestDay: null,
    heldFromDay: null,
    days: [],
    contexts: [],
    contextIndex: new Map(),
    lastContext: -1,
    heldIds: new Set(),
    recentIds: [],
    recentIdSet: new Set(),
  };
}

/** Length-prefixed, so no choice of characters in the parts can make two triples collide. */
export function contextKey(module: string, product: string, accountId: string): string {
  return `${module.length}:${module}${product.length}:${product}${accountId}`;
}

/** The index of a (module, product, account) triple in the user's table, adding it if new. */
export function internContext(
  state: UserState,
  module: string,
  product: string,
  accountId: string,
): number {
  const last = state.contexts[state.lastContext];
  if (last?.module === module && last.product === product && last.accountId === accountId) {
    return state.lastContext;
  }
  const key = contextKey(module, product, accountId);
  let index = state.contextIndex.get(key);
  if (index === undefined) {
    index = state.contexts.length;
    state.contexts.push({ module, product, accountId });
    state.contextIndex.set(key, index);
  }
  state.lastContext = index;
  return index;
}

export function isDuplicate(state: UserState, eventId: string): boolean {
  return state.heldIds.has(eventId) || state.recentIdSet.has(eventId);
}

/** The held day with this number, created (in order) when it is new. */
export function heldDayFor(state: UserState, dayNumber: number): HeldDay {
  let position = state.days.length;
  while (position > 0 && (state.days[position - 1]?.dayNumber ?? 0) >= dayNumber) {
    const candidate = state.days[position - 1];
    if (candidate?.dayNumber === dayNumber) return candidate;
    position -= 1;
  }
  const created: HeldDay = {
    dayNumber,
    day: dayString(dayNumber),
    ts: [],
    ids: [],
    contexts: [],
    lastSession: undefined,
  };
  state.days.splice(position, 0, created);
  return created;
}

/** Appends ids to the dedup ring, dropping the oldest beyond `recentIdsMax`. */
export function rememberRecentIds(
  state: UserState,
  eventIds: readonly string[],
  recentIdsMax: number,
): void {
  for (const id of eventIds.slice(-recentIdsMax)) {
    state.recentIds.push(id);
    state.recentIdSet.add(id);
  }
  const excess = state.recentIds.length - recentIdsMax;
  if (excess <= 0) return;
  for (const dropped of state.recentIds.splice(0, excess)) state.recentIdSet.delete(dropped);
}

/**
 * Moves the held horizon so that it starts no earlier than `fromDay` and drops the days before
 * it. What was last emitted for a dropped day is final. Returns the dropped days.
 */
export function releaseDaysBefore(
  state: UserState,
  fromDay: number,
  recentIdsMax: number,
): string[] {
  if (state.heldFromDay !== null && state.heldFromDay >= fromDay) return [];
  state.heldFromDay = fromDay;
  const released: string[] = [];
  while (state.days.length > 0 && (state.days[0]?.dayNumber ?? fromDay) < fromDay) {
    const day = state.days.shift();
    if (day === undefined) break;
    for (const id of day.ids) state.heldIds.delete(id);
    // In ts order, so the ring keeps the released day's last events.
    rememberRecentIds(state, day.ids, recentIdsMax);
    released.push(day.day);
  }
  if (released.length > 0) compactContexts(state);
  return released;
}

/** Drops contexts no held event points at any more (module or account changes pile them up). */
function compactContexts(state: UserState): void {
  const remap = new Map<number, number>();
  const kept: EventContext[] = [];
  state.contextIndex.clear();
  for (const day of state.days) {
    for (let i = 0; i < day.contexts.length; i += 1) {
      const old = day.contexts[i] ?? -1;
      let index = remap.get(old);
      if (index === undefined) {
        const context = state.contexts[old];
        if (context === undefined) throw new Error(`held event points at no context ${old}`);
        index = kept.length;
        kept.push(context);
        remap.set(old, index);
        state.contextIndex.set(
          contextKey(context.module, context.product, context.accountId),
          index,
        );
      }
      day.contexts[i] = index;
    }
  }
  state.contexts = kept;
  state.lastContext = -1;
}

/**
 * Releases the days that left the horizon as of `nowLocalDay` (`YYYY-MM-DD` in the tenant's
 * zone): the horizon then holds at most `nowLocalDay` and the `horizonDays − 1` days before.
 *
 * NOTE: this is the only input that is not an event. Called with an event-time "now" (the
 * partition's newest day, say) it keeps outputs a function of the events; called with the wall
 * clock it bounds memory for idle users, and an event that arrives later for a released day is
 * then late even though the user saw nothing newer.
 */
export function evictDays(
  state: UserState,
  nowLocalDay: string,
  config: { horizonDays: number; recentIdsMax: number },
): { state: UserState; evictedDays: string[] } {
  const evictedDays = releaseDaysBefore(
    state,
    dayNumberOf(nowLocalDay) - config.horizonDays + 1,
    config.recentIdsMax,
  );
  return { state, evictedDays };
}

/** The number of events held for the user (all held days). */
export function heldEventCount(state: UserState): number {
  let count = 0;
  for (const day of state.days) count += day.ts.length;
  return count;
}
