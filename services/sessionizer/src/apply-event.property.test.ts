import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyEvent, type ApplicableEvent } from './apply-event.js';
import { parseSessionizerConfig, type SessionizerConfig } from './config.js';
import type { Session, SessionizerOutput } from './outputs.js';
import { decodeUserState, encodeUserState } from './state-codec.js';
import { createUserState, type UserState } from './user-state.js';

// ---------------------------------------------------------------------------------------------
// CONTRACT §2 by brute force, sharing no code with the sessionizer: dedup, group by user and
// local day (Intl directly), sort, walk the gaps.
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function dayOf(ts: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(ts);
}
const dayIndex = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

interface Expected {
  sessions: Map<string, number>;
  time: Map<string, number>;
}

function bruteForce(events: readonly ApplicableEvent[], timeZone: string, timeoutMs: number) {
  const expected: Expected = { sessions: new Map(), time: new Map() };
  const groups = new Map<string, ApplicableEvent[]>();
  for (const event of events) {
    const key = JSON.stringify([event.tenant, event.userId, dayOf(event.ts, timeZone)]);
    groups.set(key, [...(groups.get(key) ?? []), event]);
  }
  for (const [key, group] of groups) {
    const [tenant, userId, day] = JSON.parse(key) as [string, string, string];
    const sorted = [...group].sort((a, b) =>
      a.ts !== b.ts ? a.ts - b.ts : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    let session: ApplicableEvent[] = [];
    const close = () => {
      const first = session[0];
      const last = session[session.length - 1];
      if (first === undefined || last === undefined) return;
      const modules = new Map<string, number>();
      for (let i = 1; i < session.length; i += 1) {
        const earlier = session[i - 1];
        const later = session[i];
        if (earlier === undefined || later === undefined) continue;
        const gap = later.ts - earlier.ts;
        if (gap === 0) continue;
        const module = earlier.module ?? '';
        modules.set(module, (modules.get(module) ?? 0) + gap);
        const timeKey = [userId, day, earlier.accountId, module, earlier.product ?? ''].join('|');
        expected.time.set(timeKey, (expected.time.get(timeKey) ?? 0) + gap);
      }
      const sessionId = createHash('sha256')
        .update([tenant, userId, day, first.id].join('\u0000'))
        .digest('hex')
        .slice(0, 32);
      const row = canonicalSession({
        sessionId,
        tenant,
        userId,
        accountId: first.accountId,
        day,
        startedAt: first.ts,
        endedAt: last.ts,
        durationMs: last.ts - first.ts,
        events: session.length,
        moduleTimeMs: Object.fromEntries(modules),
      });
      expected.sessions.set(row, 1);
      session = [];
    };
    for (const event of sorted) {
      const previous = session[session.length - 1];
      if (previous !== undefined && event.ts - previous.ts > timeoutMs) close();
      session.push(event);
    }
    close();
  }
  return expected;
}

function canonicalSession(row: Session): string {
  const modules = Object.entries(row.moduleTimeMs).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify({ ...row, sign: undefined, moduleTimeMs: modules });
}

/** Sums signed outputs per key and drops keys that net to zero. */
function net(outputs: readonly SessionizerOutput[]) {
  const sessions = new Map<string, number>();
  const time = new Map<string, number>();
  const activity = new Map<string, number>();
  const late = new Set<string>();
  for (const output of outputs) {
    if (output.kind === 'session') {
      const key = canonicalSession(output.row);
      sessions.set(key, (sessions.get(key) ?? 0) + output.row.sign);
    } else if (output.kind === 'time') {
      const { userId, day, accountId, module, product, ms, sign } = output.row;
      expect(ms).toBeGreaterThan(0);
      const key = [userId, day, accountId, module, product].join('|');
      time.set(key, (time.get(key) ?? 0) + sign * ms);
    } else if (output.kind === 'activity') {
      const key = `${output.row.tenant}/${output.row.eventId}`;
      activity.set(key, (activity.get(key) ?? 0) + 1);
    } else {
      late.add(`${output.row.tenant}/${output.row.eventId}`);
    }
  }
  for (const map of [sessions, time]) {
    for (const [key, value] of map) if (value === 0) map.delete(key);
  }
  return { sessions, time, activity, late };
}

// ---------------------------------------------------------------------------------------------
// Feeding events through applyEvent, one user state per tenant/user.
// ---------------------------------------------------------------------------------------------

function feed(
  arrivals: readonly ApplicableEvent[],
  config: SessionizerConfig,
  restoreEvery: number,
): SessionizerOutput[] {
  const states = new Map<string, UserState>();
  const outputs: SessionizerOutput[] = [];
  arrivals.forEach((event, step) => {
    const key = `${event.tenant}/${event.userId}`;
    let state = states.get(key) ?? createUserState(event.tenant, event.userId);
    // A restore from the changelog between any two events must change nothing.
    if (step % restoreEvery === 0) state = decodeUserState(encodeUserState(state));
    const result = applyEvent(state, event, config);
    states.set(key, result.state);
    outputs.push(...result.outputs);
  });
  return outputs;
}

const MINUTE = 60_000;
const USERS = [
  ['t1', 'u1'],
  ['t1', 'u2'],
  ['t2', 'u1'],
] as const;
// Starts near local midnights and DST changes of the zones used.
const STARTS = [
  '2026-03-07T22:00:00Z',
  '2026-03-08T03:30:00Z', // New York, the night before the spring-forward
  '2026-10-31T23:00:00Z',
  '2026-11-01T03:00:00Z', // New York, fall-back night
  '2026-04-04T12:00:00Z', // Lord Howe, 30-minute fall-back at 15:00Z
  '2026-03-01T17:00:00Z', // Kolkata midnight at 18:30Z
].map((iso) => Date.parse(iso));

interface Scenario {
  timeZone: string;
  timeoutMs: number;
  horizonDays: number;
  events: ApplicableEvent[];
}

function scenarioArb(options: { exactDuplicates: boolean }): fc.Arbitrary<Scenario> {
  return fc
    .record({
      timeZone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'),
      timeoutMs: fc.constantFrom(30 * MINUTE, 7 * MINUTE + 13, 3 * 60 * MINUTE),
      horizonDays: fc.integer({ min: 1, max: 3 }),
      start: fc.constantFrom(...STARTS),
      steps: fc.array(
        fc.record({
          user: fc.integer({ min: 0, max: USERS.length - 1 }),
          gap: fc.oneof(
            fc.constantFrom('zero', 'timeout-1', 'timeout', 'timeout+1', 'one'),
            fc.integer({ min: 0, max: 3 * 60 * MINUTE }),
            fc.integer({ min: 0, max: 20 * 60 * MINUTE }),
          ),
          idPrefix: fc.integer({ min: 10, max: 99 }),
          module: fc.constantFrom(null, 'Reports', 'Billing', '__proto__'),
          product: fc.constantFrom(null, 'P', 'Q'),
          accountId: fc.constantFrom('a1', 'a1', 'a2'),
          feature: fc.constantFrom(null, 'export'),
        }),
        { minLength: 1, maxLength: 60 },
      ),
      duplicates: fc.array(
        fc.record({
          of: fc.nat(),
          shiftMs: fc.integer({ min: -3 * 60 * MINUTE, max: 3 * 60 * MINUTE }),
        }),
        { maxLength: 10 },
      ),
    })
    .map(({ timeZone, timeoutMs, horizonDays, start, steps, duplicates }) => {
      const clock = USERS.map(() => start);
      const events = steps.map((step, index): ApplicableEvent => {
        const gap =
          step.gap === 'zero'
            ? 0
            : step.gap === 'one'
              ? 1
              : step.gap === 'timeout-1'
                ? timeoutMs - 1
                : step.gap === 'timeout'
                  ? timeoutMs
                  : step.gap === 'timeout+1'
                    ? timeoutMs + 1
                    : step.gap;
        const ts = (clock[step.user] ?? start) + gap;
        clock[step.user] = ts;
        const [tenant, userId] = USERS[step.user] ?? USERS[0];
        return {
          // The random prefix makes id order differ from generation order for equal ts.
          id: `${step.idPrefix}-${index}`,
          tenant,
          userId,
          accountId: step.accountId,
          ts,
          module: step.module,
          product: step.product,
          feature: step.feature,
          count: 1,
        };
      });
      for (const duplicate of duplicates) {
        const original = events[duplicate.of % events.length];
        if (original === undefined) continue;
        // A retry is usually the same bytes; a different ts must change nothing either.
        const ts = options.exactDuplicates ? original.ts : original.ts + duplicate.shiftMs;
        events.push({ ...original, ts, module: options.exactDuplicates ? original.module : 'Dup' });
      }
      return { timeZone, timeoutMs, horizonDays, events };
    });
}

/**
 * Which arrivals are late under the horizon rule, decided by the test itself: an event (not a
 * duplicate) is late when its day is before the user's newest day so far − (horizon − 1).
 */
function classify(arrivals: readonly ApplicableEvent[], timeZone: string, horizonDays: number) {
  const seen = new Set<string>();
  const newest = new Map<string, number>();
  const onTime: ApplicableEvent[] = [];
  const late = new Set<string>();
  for (const event of arrivals) {
    const id = `${event.tenant}/${event.id}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const user = `${event.tenant}/${event.userId}`;
    const day = dayIndex(dayOf(event.ts, timeZone));
    const floor = Math.max(newest.get(user) ?? day, day) - horizonDays + 1;
    if (day < floor) {
      late.add(id);
      continue;
    }
    newest.set(user, Math.max(newest.get(user) ?? day, day));
    onTime.push(event);
  }
  return { onTime, late, distinct: seen };
}

/** A scenario and an arrival order of its events (a permutation). */
function withArrivalOrder(options: { exactDuplicates: boolean }) {
  return scenarioArb(options).chain((scenario) =>
    fc
      .shuffledSubarray(scenario.events, {
        minLength: scenario.events.length,
        maxLength: scenario.events.length,
      })
      .map((arrivals) => ({ scenario, arrivals })),
  );
}

function configOf(scenario: Scenario): SessionizerConfig {
  return parseSessionizerConfig({
    timeZone: scenario.timeZone,
    timeoutMs: scenario.timeoutMs,
    horizonDays: scenario.horizonDays,
  });
}

describe('applyEvent against a brute-force CONTRACT §2 (property)', () => {
  it('nets, for any arrival order with duplicates and late events, to the brute force over the on-time events', () => {
    fc.assert(
      fc.property(
        withArrivalOrder({ exactDuplicates: false }),
        fc.integer({ min: 1, max: 7 }),
        ({ scenario, arrivals }, restoreEvery) => {
          const outputs = feed(arrivals, configOf(scenario), restoreEvery);
          const actual = net(outputs);
          const { onTime, late, distinct } = classify(
            arrivals,
            scenario.timeZone,
            scenario.horizonDays,
          );
          const expected = bruteForce(onTime, scenario.timeZone, scenario.timeoutMs);

          expect(actual.sessions).toEqual(expected.sessions);
          expect(actual.time).toEqual(expected.time);
          // Every distinct event is active exactly once, late or not; late ones are reported.
          expect([...actual.activity.keys()].sort()).toEqual([...distinct].sort());
          expect([...actual.activity.values()].every((count) => count === 1)).toBe(true);
          expect(actual.late).toEqual(late);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('nets to the same figures whether the on-time events arrive shuffled or in order', () => {
    fc.assert(
      fc.property(withArrivalOrder({ exactDuplicates: true }), ({ scenario, arrivals }) => {
        const config = configOf(scenario);
        // Keep only what is on time in this shuffled order (plus the exact duplicates).
        const { late } = classify(arrivals, scenario.timeZone, scenario.horizonDays);
        const shuffled = arrivals.filter((event) => !late.has(`${event.tenant}/${event.id}`));
        const inOrder = [...shuffled].sort((a, b) =>
          a.ts !== b.ts ? a.ts - b.ts : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
        );
        const fromShuffled = net(feed(shuffled, config, Number.MAX_SAFE_INTEGER));
        const fromInOrder = net(feed(inOrder, config, Number.MAX_SAFE_INTEGER));
        expect(fromShuffled.sessions).toEqual(fromInOrder.sessions);
        expect(fromShuffled.time).toEqual(fromInOrder.time);
        expect(fromShuffled.activity).toEqual(fromInOrder.activity);
        expect(fromShuffled.late.size + fromInOrder.late.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('emits nothing but the retraction and re-emission of the last session for an in-order append', () => {
    fc.assert(
      fc.property(scenarioArb({ exactDuplicates: true }), (scenario) => {
        const config = configOf(scenario);
        const user = scenario.events.filter((e) => e.tenant === 't1' && e.userId === 'u1');
        const inOrder = user.sort((a, b) =>
          a.ts !== b.ts ? a.ts - b.ts : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
        );
        let state = createUserState('t1', 'u1');
        for (const event of inOrder) {
          const result = applyEvent(state, event, config);
          state = result.state;
          const sessions = result.outputs.filter((output) => output.kind === 'session');
          const time = result.outputs.filter((output) => output.kind === 'time');
          expect(sessions.length).toBeLessThanOrEqual(2);
          expect(time.length).toBeLessThanOrEqual(1);
          expect(result.outputs.every((o) => o.kind !== 'time' || o.row.sign === 1)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
