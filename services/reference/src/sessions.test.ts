import { describe, expect, it } from 'vitest';
import { MINUTE, referenceOf, usage } from './reference.test-support.js';

describe('sessions and time', () => {
  it('splits at a gap longer than the timeout and gives each gap to the earlier module', () => {
    const reference = referenceOf([
      usage('2026-07-01T09:00', 'u1', 'a1', 'reports'),
      usage('2026-07-01T09:10', 'u1', 'a1', 'billing'),
      usage('2026-07-01T09:25', 'u1', 'a1', 'billing'),
      usage('2026-07-01T10:30', 'u1', 'a1', 'reports'),
    ]);
    const sessions = reference.sessions.map((s) => ({
      started: new Date(s.started_at).toISOString().slice(11, 16),
      duration: s.duration_ms,
      events: s.events,
      modules: s.module_time_ms,
    }));
    expect(sessions).toEqual([
      {
        started: '09:00',
        duration: 25 * MINUTE,
        events: 3,
        modules: { reports: 10 * MINUTE, billing: 15 * MINUTE },
      },
      { started: '10:30', duration: 0, events: 1, modules: {} },
    ]);
    expect(reference.daily_activity[0]).toMatchObject({
      sessions: 2,
      events: 4,
      time_ms: 25 * MINUTE,
    });
  });

  it('continues a session across a gap exactly equal to the timeout', () => {
    const reference = referenceOf([
      usage('2026-07-01T09:00', 'u1', 'a1'),
      usage('2026-07-01T09:30', 'u1', 'a1'),
      usage('2026-07-01T10:01', 'u1', 'a1'),
    ]);
    expect(reference.sessions.map((s) => s.duration_ms)).toEqual([30 * MINUTE, 0]);
    expect(reference.sessions[0]?.module_time_ms).toEqual({ '': 30 * MINUTE });
  });

  it('starts a new session at local midnight: 23:30/23:50/00:05/00:10 give 20 and 5 minutes', () => {
    const reference = referenceOf([
      usage('2026-07-01T23:30', 'u1', 'a1'),
      usage('2026-07-01T23:50', 'u1', 'a1'),
      usage('2026-07-02T00:05', 'u1', 'a1'),
      usage('2026-07-02T00:10', 'u1', 'a1'),
    ]);
    expect(reference.sessions.map((s) => [s.day, s.duration_ms])).toEqual([
      ['2026-07-01', 20 * MINUTE],
      ['2026-07-02', 5 * MINUTE],
    ]);
  });

  it('uses the tenant timezone for days: Asia/Tokyo splits at 15:00 UTC', () => {
    const lines = [
      usage('2026-07-01T14:40', 'u1', 'a1'),
      usage('2026-07-01T14:50', 'u1', 'a1'),
      usage('2026-07-01T15:10', 'u1', 'a1'),
      usage('2026-07-01T15:25', 'u1', 'a1'),
    ];
    const tokyo = referenceOf(lines, '2026-07-31', { timezone: 'Asia/Tokyo', timeoutMinutes: 30 });
    expect(tokyo.sessions.map((s) => [s.day, s.duration_ms])).toEqual([
      ['2026-07-01', 10 * MINUTE],
      ['2026-07-02', 15 * MINUTE],
    ]);
    expect(tokyo.daily_activity.map((d) => d.day)).toEqual(['2026-07-01', '2026-07-02']);
    const utc = referenceOf(lines);
    expect(utc.sessions.map((s) => [s.day, s.duration_ms])).toEqual([['2026-07-01', 45 * MINUTE]]);
  });

  it('attributes the session to its first event account and slices to the earlier event account', () => {
    const reference = referenceOf([
      usage('2026-07-01T09:00', 'u1', 'a1', 'reports'),
      usage('2026-07-01T09:10', 'u1', 'a2', 'reports'),
      usage('2026-07-01T09:30', 'u1', 'a2', 'reports'),
    ]);
    expect(reference.sessions[0]?.account_id).toBe('a1');
    const own = Object.fromEntries(
      reference.account_daily_activity.map((row) => [row.account_id, [row.events, row.time_ms]]),
    );
    expect(own).toEqual({ a1: [1, 10 * MINUTE], a2: [2, 20 * MINUTE] });
  });
});
