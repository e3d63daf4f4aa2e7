import type { UsageRecord } from '@cs/schemas';
import { CsError } from '@cs/runtime';
import type { SessionizerConfig } from './config.js';
import {
  insertionIndex,
  sameSession,
  sessionEndOf,
  sessionStartOf,
  sessionizeRange,
  type UserDayKey,
} from './day-columns.js';
import { dayString, localDayNumber } from './local-day.js';
import { signedSession, signedTime, type Session, type SessionizerOutput } from './outputs.js';
import {
  heldDayFor,
  internContext,
  isDuplicate,
  releaseDaysBefore,
  rememberRecentIds,
  type HeldDay,
  type UserState,
} from './user-state.js';

export type ApplyEventErrorCode = 'wrong_user';

/** The fields of a usage event the sessionizer reads. */
export type ApplicableEvent = Pick<
  UsageRecord,
  'id' | 'tenant' | 'userId' | 'accountId' | 'ts' | 'module' | 'product' | 'feature' | 'count'
>;

/**
 * `applied`: the event is in a held day (its corrections, if any, are in the outputs);
 * `duplicate`: its id was seen within the dedup horizon, nothing is emitted;
 * `late`: its day had left the horizon, only activity and a late row are emitted.
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'late';

export interface ApplyResult {
  /** The same object as the state passed in, updated (see `applyEvent`). */
  state: UserState;
  outputs: SessionizerOutput[];
  outcome: ApplyOutcome;
}

/**
 * Applies one usage event to its user's state and returns the rows that bring the emitted figures
 * to the new truth: after every call, the net (sum with signs) of everything emitted for a held
 * user-day equals CONTRACT §2 over that day's distinct events.
 *
 * NOTE: the state is updated in place and returned: copying the day columns per event would cost
 * O(events held) each time. A shell that aborts a transaction restores the state from its last
 * committed encoding (`decodeUserState`), never from the object it passed here.
 */
export function applyEvent(
  state: UserState,
  event: ApplicableEvent,
  config: SessionizerConfig,
): ApplyResult {
  if (event.tenant !== state.tenant || event.userId !== state.userId) {
    throw new CsError<ApplyEventErrorCode>(
      'wrong_user',
      `event ${event.id} of ${event.tenant}/${event.userId} applied to the state of ${state.tenant}/${state.userId}`,
    );
  }
  if (isDuplicate(state, event.id)) return { state, outputs: [], outcome: 'duplicate' };

  const dayNumber = localDayNumber(event.ts, config.timeZone);
  if (state.latestDay === null || dayNumber > state.latestDay) {
    state.latestDay = dayNumber;
    releaseDaysBefore(state, dayNumber - config.horizonDays + 1, config.recentIdsMax);
  }
  const module = event.module ?? '';
  const product = event.product ?? '';
  const day = dayString(dayNumber);
  const outputs: SessionizerOutput[] = [
    {
      kind: 'activity',
      row: {
        tenant: event.tenant,
        userId: event.userId,
        accountId: event.accountId,
        day,
        module,
        product,
        feature: event.feature,
        count: event.count,
        ts: event.ts,
        eventId: event.id,
      },
    },
  ];

  const heldFromDay = state.heldFromDay ?? dayNumber;
  if (dayNumber < heldFromDay) {
    rememberRecentIds(state, [event.id], config.recentIdsMax);
    outputs.push({
      kind: 'late',
      row: {
        tenant: event.tenant,
        userId: event.userId,
        accountId: event.accountId,
        day,
        eventId: event.id,
        ts: event.ts,
        heldFromDay: dayString(heldFromDay),
      },
    });
    return { state, outputs, outcome: 'late' };
  }

  const held = heldDayFor(state, dayNumber);
  const context = internContext(state, module, product, event.accountId);
  const position = insertionIndex(held, event.ts, event.id);
  const key: UserDayKey = { tenant: state.tenant, userId: state.userId, day: held.day };
  if (position === held.ts.length) {
    appendToDay(state, held, key, event, context, config.timeoutMs, outputs);
  } else {
    insertIntoDay(state, held, key, position, event, context, config.timeoutMs, outputs);
  }
  state.heldIds.add(event.id);
  return { state, outputs, outcome: 'applied' };
}

function pushColumns(held: HeldDay, position: number, event: ApplicableEvent, context: number) {
  if (position === held.ts.length) {
    held.ts.push(event.ts);
    held.ids.push(event.id);
    held.contexts.push(context);
  } else {
    held.ts.splice(position, 0, event.ts);
    held.ids.splice(position, 0, event.id);
    held.contexts.splice(position, 0, context);
  }
}

/**
 * The common, in-order case: the event sorts after everything held for its day. It either starts
 * a new one-event session (+1 session, no time) or extends the last one: that session is
 * retracted and re-emitted (its row changes), and time gets one +gap row for the earlier event's
 * context. Nothing else of the day is touched.
 */
function appendToDay(
  state: UserState,
  held: HeldDay,
  key: UserDayKey,
  event: ApplicableEvent,
  context: number,
  timeoutMs: number,
  outputs: SessionizerOutput[],
): void {
  const last = held.ts.length - 1;
  const gap = event.ts - (held.ts[last] ?? event.ts);
  if (last < 0 || gap > timeoutMs) {
    pushColumns(held, held.ts.length, event, context);
    const index = held.ts.length - 1;
    const [session] = sessionizeRange(
      held,
      state.contexts,
      key,
      index,
      index + 1,
      timeoutMs,
    ).sessions;
    if (session === undefined) throw new Error('a one-event range gave no session');
    held.lastSession = session;
    outputs.push({ kind: 'session', row: signedSession(session, 1) });
    return;
  }

  const previous = held.lastSession ?? lastSessionOf(state, held, key, timeoutMs);
  const earlier = state.contexts[held.contexts[last] ?? -1];
  if (earlier === undefined) throw new Error('the last held event points at no context');
  pushColumns(held, held.ts.length, event, context);
  const moduleTimeMs = Object.create(null) as Record<string, number>;
  for (const module in previous.moduleTimeMs)
    moduleTimeMs[module] = previous.moduleTimeMs[module] ?? 0;
  if (gap > 0) moduleTimeMs[earlier.module] = (moduleTimeMs[earlier.module] ?? 0) + gap;
  const extended: Session = {
    sessionId: previous.sessionId,
    tenant: previous.tenant,
    userId: previous.userId,
    accountId: previous.accountId,
    day: previous.day,
    startedAt: previous.startedAt,
    endedAt: event.ts,
    durationMs: event.ts - previous.startedAt,
    events: previous.events + 1,
    moduleTimeMs,
  };
  held.lastSession = extended;
  outputs.push({ kind: 'session', row: signedSession(previous, -1) });
  outputs.push({ kind: 'session', row: signedSession(extended, 1) });
  if (gap > 0) {
    outputs.push({ kind: 'time', row: signedTime(key, earlier, gap, 1) });
  }
}

/** The day's last session, from the columns (after a restore, when the cache is empty). */
function lastSessionOf(
  state: UserState,
  held: HeldDay,
  key: UserDayKey,
  timeoutMs: number,
): Session {
  const end = held.ts.length;
  const start = sessionStartOf(held, end - 1, timeoutMs);
  const session = sessionizeRange(held, state.contexts, key, start, end, timeoutMs).sessions[0];
  if (session === undefined) throw new Error('a held day without events');
  return session;
}

/**
 * An out-of-order event. Only the sessions holding its neighbours can change (the session of the
 * event before it and the one of the event after it: it can join them, extend one, or stand
 * alone), so just that stretch is sessionized before and after the insertion, and the difference
 * is emitted: changed sessions as −1 old / +1 new, time as signed deltas per context.
 */
function insertIntoDay(
  state: UserState,
  held: HeldDay,
  key: UserDayKey,
  position: number,
  event: ApplicableEvent,
  context: number,
  timeoutMs: number,
  outputs: SessionizerOutput[],
): void {
  const heldBefore = held.ts.length;
  const from = position > 0 ? sessionStartOf(held, position - 1, timeoutMs) : 0;
  const to = sessionEndOf(held, position, timeoutMs);
  const before = sessionizeRange(held, state.contexts, key, from, to, timeoutMs);
  pushColumns(held, position, event, context);
  const after = sessionizeRange(held, state.contexts, key, from, to + 1, timeoutMs);

  const afterById = new Map(after.sessions.map((session) => [session.sessionId, session]));
  const unchanged = new Set<string>();
  for (const old of before.sessions) {
    const current = afterById.get(old.sessionId);
    if (current !== undefined && sameSession(old, current)) unchanged.add(old.sessionId);
    else outputs.push({ kind: 'session', row: signedSession(old, -1) });
  }
  for (const current of after.sessions) {
    if (!unchanged.has(current.sessionId)) {
      outputs.push({ kind: 'session', row: signedSession(current, 1) });
    }
  }

  const contexts = new Set([...before.timeByContext.keys(), ...after.timeByContext.keys()]);
  for (const index of contexts) {
    const delta = (after.timeByContext.get(index) ?? 0) - (before.timeByContext.get(index) ?? 0);
    const sliceContext = state.contexts[index];
    if (delta === 0 || sliceContext === undefined) continue;
    outputs.push({
      kind: 'time',
      row: signedTime(key, sliceContext, Math.abs(delta), delta > 0 ? 1 : -1),
    });
  }

  if (to === heldBefore) held.lastSession = after.sessions.at(-1);
}
