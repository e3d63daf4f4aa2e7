import { describe, expect, it } from 'vitest';
import { accountRecord, MINUTE, referenceOf, usage, userRecord } from './reference.test-support.js';

describe('daily and monthly activity', () => {
  // docs/metrics.md: d = 07-31; u2 active on d−30 (20 min), u1 on d−29 (10 min), u3 (30 min) and
  // u4 (15 min) on d; all but u2 in account a1.
  const reference = referenceOf([
    usage('2026-07-01T10:00', 'u2', 'a2'),
    usage('2026-07-01T10:20', 'u2', 'a2'),
    usage('2026-07-02T10:00', 'u1', 'a1'),
    usage('2026-07-02T10:10', 'u1', 'a1'),
    usage('2026-07-31T10:00', 'u3', 'a1'),
    usage('2026-07-31T10:30', 'u3', 'a1'),
    usage('2026-07-31T11:00', 'u4', 'a1'),
    usage('2026-07-31T11:15', 'u4', 'a1'),
  ]);

  it('counts DAU, active accounts and time per active user on a day', () => {
    const day = reference.daily_activity.find((row) => row.day === '2026-07-31');
    expect(day).toEqual({
      tenant: 'acme',
      day: '2026-07-31',
      active_users: 2,
      active_accounts: 1,
      sessions: 2,
      events: 4,
      time_ms: 45 * MINUTE,
      time_per_active_user_ms: 1_350_000,
      time_per_active_account_ms: 45 * MINUTE,
    });
  });

  it('counts d−29 in the 30-day window and not d−30', () => {
    const window = reference.monthly_activity.find((row) => row.day === '2026-07-31');
    expect(window).toEqual({
      tenant: 'acme',
      day: '2026-07-31',
      active_users: 3,
      active_accounts: 1,
      time_ms: 55 * MINUTE,
      time_per_active_user_ms: 1_100_000,
      time_per_active_account_ms: 55 * MINUTE,
    });
    // One row per day with activity, not per calendar day.
    expect(reference.monthly_activity.map((row) => row.day)).toEqual([
      '2026-07-01',
      '2026-07-02',
      '2026-07-31',
    ]);
    expect(reference.monthly_activity[1]).toMatchObject({ active_users: 2, active_accounts: 2 });
  });

  it('knows first seen, last seen and product users (a user record counts)', () => {
    const withRecord = referenceOf([
      usage('2026-07-01T10:00', 'u1', 'a1'),
      usage('2026-07-03T10:00', 'u1', 'a1'),
      userRecord('2026-07-01T08:00', 'u5', 'a1'),
    ]);
    expect(withRecord.accounts).toEqual([
      expect.objectContaining({
        account_id: 'a1',
        first_seen: '2026-07-01',
        last_seen: '2026-07-03',
        product_users: 2,
      }),
    ]);
    const u5 = withRecord.users.find((user) => user.user_id === 'u5');
    expect(u5).toMatchObject({ account_id: 'a1', first_seen: null, last_seen: null });
  });
});

describe('activity rank', () => {
  // docs/metrics.md, as of 07-10: p 10 min, q 10 min, r 30 min, s 0 (known from a record; its
  // 100 min on 07-03 are outside the window), t known only from 07-11.
  const reference = referenceOf([
    usage('2026-07-10T09:00', 'p', 'X'),
    usage('2026-07-10T09:10', 'p', 'X'),
    usage('2026-07-09T09:00', 'q', 'X'),
    usage('2026-07-09T09:10', 'q', 'X'),
    usage('2026-07-04T09:00', 'r', 'Y'),
    usage('2026-07-04T09:30', 'r', 'Y'),
    userRecord('2026-07-01T08:00', 's', 'Z'),
    ...Array.from({ length: 5 }, (_, i) =>
      usage(`2026-07-03T09:${String(i * 25).padStart(2, '0')}`, 's', 'Z'),
    ),
    userRecord('2026-07-11T08:00', 't', 'X'),
  ]);

  it('ranks users by strictly-less activity over n − 1, ties sharing a rank', () => {
    const ranks = Object.fromEntries(
      reference
        .user_activity('acme', '2026-07-10')
        .map((row) => [row.user_id, [row.activity_ms, row.activity_rank]]),
    );
    expect(ranks).toEqual({
      p: [10 * MINUTE, 100 / 3],
      q: [10 * MINUTE, 100 / 3],
      r: [30 * MINUTE, 100],
      s: [0, 0],
    });
  });

  it('ranks accounts with users by their own users’ time', () => {
    const ranks = Object.fromEntries(
      reference
        .account_activity('acme', '2026-07-10')
        .map((row) => [row.account_id, [row.activity_ms, row.activity_rank]]),
    );
    expect(ranks).toEqual({ X: [20 * MINUTE, 50], Y: [30 * MINUTE, 100], Z: [0, 0] });
  });

  it('gives rank 0 to the only user', () => {
    const single = referenceOf([
      usage('2026-07-10T09:00', 'p', 'X'),
      usage('2026-07-10T09:10', 'p', 'X'),
    ]);
    expect(single.user_activity('acme', '2026-07-10')).toEqual([
      { user_id: 'p', account_id: 'X', activity_ms: 10 * MINUTE, activity_rank: 0 },
    ]);
  });
});

describe('account roll-up', () => {
  // P ← C1 ← G and P ← C2; G was first under C2, then moved under C1; P asking to go under G
  // would close a cycle and is refused (P stays a root).
  const reference = referenceOf([
    accountRecord('2026-07-01T00:00', 'P', null),
    accountRecord('2026-07-01T00:01', 'C1', 'P'),
    accountRecord('2026-07-01T00:02', 'C2', 'P'),
    accountRecord('2026-07-01T00:03', 'G', 'C2'),
    accountRecord('2026-07-01T00:04', 'G', 'C1'),
    accountRecord('2026-07-01T00:05', 'P', 'G'),
    usage('2026-07-02T10:00', 'x', 'C1'),
    usage('2026-07-02T10:10', 'x', 'G'),
    usage('2026-07-02T10:15', 'x', 'G'),
    usage('2026-07-02T11:00', 'y', 'C2'),
    usage('2026-07-02T11:20', 'y', 'C2'),
    usage('2026-07-02T12:00', 'z', 'P'),
    usage('2026-07-02T12:01', 'z', 'P'),
  ]);

  it('refuses the link that would make a cycle and keeps the previous parent', () => {
    expect(reference.refused_links).toEqual([
      { tenant: 'acme', accountId: 'P', parentId: 'G', line: 6 },
    ]);
    const parents = Object.fromEntries(
      reference.accounts.map((row) => [row.account_id, row.parent_id]),
    );
    expect(parents).toEqual({ P: null, C1: 'P', C2: 'P', G: 'C1' });
  });

  it('rolls activity up over the current hierarchy, each user once', () => {
    const rolled = Object.fromEntries(
      reference.account_daily_activity_rollup.map((row) => [
        row.account_id,
        [row.active_users, row.events, row.time_ms],
      ]),
    );
    expect(rolled).toEqual({
      P: [3, 7, 36 * MINUTE],
      C1: [1, 3, 15 * MINUTE],
      C2: [1, 2, 20 * MINUTE],
      G: [1, 2, 5 * MINUTE],
    });
    const own = reference.account_daily_activity.find((row) => row.account_id === 'C1');
    expect(own).toMatchObject({ active_users: 1, events: 1, time_ms: 10 * MINUTE });
  });
});

describe('hierarchy order', () => {
  it('decides a cycle in (ts, id) order, not in file order', () => {
    // B asks for A at 00:05 (line 1); A had asked for B at 00:01 (line 2, arriving later).
    // In ts order A → B stands first, so B's request closes the cycle and is refused.
    const reference = referenceOf([
      accountRecord('2026-07-01T00:05', 'B', 'A'),
      accountRecord('2026-07-01T00:01', 'A', 'B'),
    ]);
    expect(reference.refused_links).toEqual([
      { tenant: 'acme', accountId: 'B', parentId: 'A', line: 1 },
    ]);
    const parents = Object.fromEntries(
      reference.accounts.map((row) => [row.account_id, row.parent_id]),
    );
    expect(parents).toEqual({ A: 'B', B: null });
  });

  it('lets an older record of an account set the parent a later refusal keeps', () => {
    // A: under P at 00:01 (line 3, late), then asks for C at 00:03, which hangs below A: refused,
    // and A keeps P — known only from the late line.
    const reference = referenceOf([
      accountRecord('2026-07-01T00:02', 'C', 'A'),
      accountRecord('2026-07-01T00:03', 'A', 'C'),
      accountRecord('2026-07-01T00:01', 'A', 'P'),
    ]);
    expect(reference.refused_links).toEqual([
      { tenant: 'acme', accountId: 'A', parentId: 'C', line: 2 },
    ]);
    const parents = Object.fromEntries(
      reference.accounts.map((row) => [row.account_id, row.parent_id]),
    );
    expect(parents).toEqual({ A: 'P', C: 'A', P: null });
  });
});
