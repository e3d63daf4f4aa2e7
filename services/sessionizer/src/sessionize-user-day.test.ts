import { describe, expect, it } from 'vitest';
import { sessionizeUserDay } from './sessionize-user-day.js';
import { sessionIdOf } from './session-id.js';
import { MINUTE, usage } from './test-events.test-support.js';

const timeoutMs = 30 * MINUTE;

describe('sessionizeUserDay: the worked examples', () => {
  it('09:00 Reports, 09:10 Billing, 09:25 Billing, 10:30 Reports: 25 min (Reports 10, Billing 15) and 0 min', () => {
    const { sessions, timeSlices } = sessionizeUserDay(
      [
        usage('e1', '2026-03-02T09:00:00Z', { module: 'Reports', product: 'P' }),
        usage('e2', '2026-03-02T09:10:00Z', { module: 'Billing', product: 'P' }),
        usage('e3', '2026-03-02T09:25:00Z', { module: 'Billing', product: 'P' }),
        usage('e4', '2026-03-02T10:30:00Z', { module: 'Reports', product: 'P' }),
      ],
      { timeoutMs },
    );
    expect(sessions).toEqual([
      {
        sessionId: sessionIdOf('t1', 'u1', '2026-03-02', 'e1'),
        tenant: 't1',
        userId: 'u1',
        accountId: 'a1',
        day: '2026-03-02',
        startedAt: Date.parse('2026-03-02T09:00:00Z'),
        endedAt: Date.parse('2026-03-02T09:25:00Z'),
        durationMs: 25 * MINUTE,
        events: 3,
        moduleTimeMs: { Reports: 10 * MINUTE, Billing: 15 * MINUTE },
      },
      {
        sessionId: sessionIdOf('t1', 'u1', '2026-03-02', 'e4'),
        tenant: 't1',
        userId: 'u1',
        accountId: 'a1',
        day: '2026-03-02',
        startedAt: Date.parse('2026-03-02T10:30:00Z'),
        endedAt: Date.parse('2026-03-02T10:30:00Z'),
        durationMs: 0,
        events: 1,
        moduleTimeMs: {},
      },
    ]);
    expect(timeSlices).toEqual([
      {
        tenant: 't1',
        userId: 'u1',
        day: '2026-03-02',
        accountId: 'a1',
        module: 'Reports',
        product: 'P',
        ms: 10 * MINUTE,
      },
      {
        tenant: 't1',
        userId: 'u1',
        day: '2026-03-02',
        accountId: 'a1',
        module: 'Billing',
        product: 'P',
        ms: 15 * MINUTE,
      },
    ]);
  });

  it.each([
    [
      'UTC',
      ['2026-03-02T23:30:00Z', '2026-03-02T23:50:00Z'],
      ['2026-03-03T00:05:00Z', '2026-03-03T00:10:00Z'],
      ['2026-03-02', '2026-03-03'],
    ],
    // 23:30 EST on 2026-03-02 is 04:30Z on 03-03: the day follows New York, not UTC.
    [
      'America/New_York',
      ['2026-03-03T04:30:00Z', '2026-03-03T04:50:00Z'],
      ['2026-03-03T05:05:00Z', '2026-03-03T05:10:00Z'],
      ['2026-03-02', '2026-03-03'],
    ],
    // The night New York falls back (01:00–02:00 happens twice): 23:30, 23:50 EDT on 10-31, then
    // 00:05, 00:10 EDT on 11-01, a 25-hour day.
    [
      'America/New_York',
      ['2026-11-01T03:30:00Z', '2026-11-01T03:50:00Z'],
      ['2026-11-01T04:05:00Z', '2026-11-01T04:10:00Z'],
      ['2026-10-31', '2026-11-01'],
    ],
  ])(
    '23:30, 23:50, 00:05, 00:10 in %s: 20 min on one day, 5 on the next',
    (timeZone, before, after, days) => {
      const events = [...before, ...after].map((ts, i) =>
        usage(`m${i}`, ts, { module: 'Reports' }),
      );
      const first = sessionizeUserDay(events.slice(0, 2), { timeoutMs, timeZone });
      const second = sessionizeUserDay(events.slice(2), { timeoutMs, timeZone });
      expect(first.sessions.map((s) => [s.day, s.durationMs])).toEqual([[days[0], 20 * MINUTE]]);
      expect(second.sessions.map((s) => [s.day, s.durationMs])).toEqual([[days[1], 5 * MINUTE]]);
      // And the whole run is refused as one user-day: sessions never cross midnight.
      expect(() => sessionizeUserDay(events, { timeoutMs, timeZone })).toThrow(
        expect.objectContaining({ code: 'mixed_user_day' }),
      );
    },
  );

  it('a session across the spring-forward jump counts real elapsed time (01:50 EST → 03:05 EDT is 15 min)', () => {
    const { sessions } = sessionizeUserDay(
      [usage('a', '2026-03-08T06:50:00Z'), usage('b', '2026-03-08T07:05:00Z')],
      { timeoutMs, timeZone: 'America/New_York' },
    );
    expect(sessions.map((s) => [s.day, s.durationMs, s.events])).toEqual([
      ['2026-03-08', 15 * MINUTE, 2],
    ]);
  });

  it('a session across the fall-back repeat continues although the wall clock went back (01:50 EDT → 01:05 EST)', () => {
    const { sessions } = sessionizeUserDay(
      [usage('a', '2026-11-01T05:50:00Z'), usage('b', '2026-11-01T06:05:00Z')],
      { timeoutMs, timeZone: 'America/New_York' },
    );
    expect(sessions.map((s) => [s.day, s.durationMs, s.events])).toEqual([
      ['2026-11-01', 15 * MINUTE, 2],
    ]);
  });
});

describe('sessionizeUserDay: rules', () => {
  const at = (minutes: number, ms = 0) =>
    Date.parse('2026-03-02T08:00:00Z') + minutes * MINUTE + ms;

  it('a gap equal to the timeout continues the session', () => {
    const { sessions } = sessionizeUserDay([usage('a', at(0)), usage('b', at(30))], { timeoutMs });
    expect(sessions.map((s) => s.durationMs)).toEqual([30 * MINUTE]);
  });

  it('a gap of timeout + 1 ms splits it', () => {
    const { sessions } = sessionizeUserDay([usage('a', at(0)), usage('b', at(30, 1))], {
      timeoutMs,
    });
    expect(sessions.map((s) => s.durationMs)).toEqual([0, 0]);
  });

  it('a duplicate id counts once (the first one wins)', () => {
    const { sessions } = sessionizeUserDay(
      [usage('a', at(0)), usage('b', at(10)), usage('b', at(20)), usage('a', at(0))],
      { timeoutMs },
    );
    expect(sessions.map((s) => [s.events, s.durationMs])).toEqual([[2, 10 * MINUTE]]);
  });

  it("gives a gap to the earlier event's module, '' when it has none, and module times sum to the duration", () => {
    const { sessions, timeSlices } = sessionizeUserDay(
      [usage('a', at(0)), usage('b', at(5), { module: 'Reports' }), usage('c', at(12))],
      { timeoutMs },
    );
    expect(sessions[0]?.moduleTimeMs).toEqual({ '': 5 * MINUTE, Reports: 7 * MINUTE });
    expect(timeSlices.map((s) => [s.module, s.product, s.ms])).toEqual([
      ['', '', 5 * MINUTE],
      ['Reports', '', 7 * MINUTE],
    ]);
  });

  it('orders by ts then id: equal timestamps are ordered by id, whatever the input order', () => {
    const events = [
      usage('z', at(0), { module: 'Z' }),
      usage('y', at(0), { module: 'Y' }),
      usage('x', at(10), { module: 'X' }),
    ];
    const { sessions } = sessionizeUserDay(events, { timeoutMs });
    // Sorted: y, z, x: the 10 minutes belong to z, the later of the two at 08:00.
    expect(sessions[0]?.moduleTimeMs).toEqual({ Z: 10 * MINUTE });
    expect(sessions[0]?.sessionId).toBe(sessionIdOf('t1', 'u1', '2026-03-02', 'y'));
    expect(sessionizeUserDay([...events].reverse(), { timeoutMs })).toEqual(
      sessionizeUserDay(events, { timeoutMs }),
    );
  });

  it("takes the session's account from its first event, and each gap's account for time", () => {
    const { sessions, timeSlices } = sessionizeUserDay(
      [
        usage('a', at(0), { accountId: 'old' }),
        usage('b', at(10), { accountId: 'new' }),
        usage('c', at(15)),
      ],
      { timeoutMs },
    );
    expect(sessions[0]?.accountId).toBe('old');
    expect(timeSlices.map((s) => [s.accountId, s.ms])).toEqual([
      ['old', 10 * MINUTE],
      ['new', 5 * MINUTE],
    ]);
  });

  it('gives nothing for no events, one 0-ms session for one event, and refuses several users', () => {
    expect(sessionizeUserDay([], { timeoutMs })).toEqual({ sessions: [], timeSlices: [] });
    expect(
      sessionizeUserDay([usage('a', at(0))], { timeoutMs }).sessions.map((s) => s.durationMs),
    ).toEqual([0]);
    expect(() =>
      sessionizeUserDay([usage('a', at(0)), usage('b', at(1), { userId: 'u2' })], { timeoutMs }),
    ).toThrow(expect.objectContaining({ code: 'mixed_user_day' }));
  });
});
