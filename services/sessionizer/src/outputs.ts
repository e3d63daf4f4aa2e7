/**
 * What the sessionizer emits. Session and time rows are signed: a correction retracts what was
 * emitted before (`sign: -1`) and states the new truth (`sign: +1`), and the warehouse sums them
 * (CollapsingMergeTree-style for sessions, `sum(sign * ms)` for time). Activity and late rows
 * are facts about one event and are never retracted: dedup guarantees one per event.
 */

export type Sign = 1 | -1;

/** One session (CONTRACT §2), the shape of a `cs.sessions` row. Times are epoch ms. */
export interface Session {
  /** Deterministic: see `sessionIdOf` (tenant, user, day, first event id). */
  sessionId: string;
  tenant: string;
  userId: string;
  /**
   * The account of the session's first event. A user can move accounts mid-session; the first
   * event's account is chosen because it never changes when a session is extended in order, so
   * appends do not rewrite the session's account. Time slices, not this field, carry exact
   * per-account time.
   */
  accountId: string;
  /** Local day `YYYY-MM-DD` in the tenant's time zone. */
  day: string;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  events: number;
  /**
   * Module → ms; each gap goes to the module of its earlier event (`''` when it has none).
   * Modules with 0 ms are left out, so the values always sum to `durationMs`. A null-prototype
   * object: a module may be called `__proto__`.
   */
  moduleTimeMs: Record<string, number>;
}

/**
 * Time a user spent on a day in one (account, module, product): the sum of the gaps whose earlier
 * event had them. Per user-day the slices sum to the user's time that day.
 */
export interface TimeSlice {
  tenant: string;
  userId: string;
  /** The account of the earlier event of each gap, like module and product. */
  accountId: string;
  day: string;
  module: string;
  product: string;
  ms: number;
}

export type SessionRow = Session & { sign: Sign };
/** A signed time row: the net time of a key is `sum(sign * ms)`; `ms` is always > 0. */
export type TimeSliceRow = TimeSlice & { sign: Sign };

/** One per distinct event, late or not: what DAU, first/last seen and feature counts use. */
export interface ActivityRow {
  tenant: string;
  userId: string;
  accountId: string;
  day: string;
  module: string;
  product: string;
  /** `null`: plain activity (no feature), counted for activity and time, not feature counts. */
  feature: string | null;
  count: number;
  ts: number;
  eventId: string;
}

/**
 * An event whose local day had already left the user's held horizon: its activity is counted, its
 * time and sessions are not (see README "Late beyond the horizon"). Countable downstream.
 */
export interface LateEventRow {
  tenant: string;
  userId: string;
  accountId: string;
  day: string;
  eventId: string;
  ts: number;
  /** The oldest local day still held for the user when the event arrived. */
  heldFromDay: string;
}

export type SessionizerOutput =
  | { kind: 'session'; row: SessionRow }
  | { kind: 'time'; row: TimeSliceRow }
  | { kind: 'activity'; row: ActivityRow }
  | { kind: 'late'; row: LateEventRow };

/**
 * A session as a signed row. Written out field by field: object spread of a ten-field row is an
 * order of magnitude slower in V8, and this runs for most events.
 */
export function signedSession(session: Session, sign: Sign): SessionRow {
  return {
    sessionId: session.sessionId,
    tenant: session.tenant,
    userId: session.userId,
    accountId: session.accountId,
    day: session.day,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    durationMs: session.durationMs,
    events: session.events,
    moduleTimeMs: session.moduleTimeMs,
    sign,
  };
}

/** A time row for one context of one user-day. */
export function signedTime(
  key: { tenant: string; userId: string; day: string },
  context: { module: string; product: string; accountId: string },
  ms: number,
  sign: Sign,
): TimeSliceRow {
  return {
    tenant: key.tenant,
    userId: key.userId,
    accountId: context.accountId,
    day: key.day,
    module: context.module,
    product: context.product,
    ms,
    sign,
  };
}
