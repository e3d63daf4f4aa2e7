/**
 * cs.module_usage, cs.feature_usage, cs.user_activity, cs.account_activity, and the retried
 * insert (same insert_deduplication_token) that must change no view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT, sliceRow, usageRow, userRecord } from './fact-rows.test-support.js';
import { MINUTE, migratedWarehouse, type MigratedWarehouse } from './warehouse.test-support.js';

let wh: MigratedWarehouse;

const reports = { account: 'A1', module: 'reports' };

beforeAll(async () => {
  wh = await migratedWarehouse();
  await wh.insert('usage_events', [
    // Day 1: A and B use reports; A exports 3 times, B once.
    usageRow({ ...reports, user: 'uA', day: '2026-07-01', feature: 'export', count: 3 }),
    usageRow({ ...reports, user: 'uB', day: '2026-07-01', feature: 'export', count: 1 }),
    // Day 2: A uses reports (exports twice, then a plain page view), B uses admin.
    usageRow({
      ...reports,
      user: 'uA',
      day: '2026-07-02',
      time: '13:00:00',
      feature: 'export',
      count: 2,
    }),
    usageRow({ ...reports, user: 'uA', day: '2026-07-02', time: '14:00:00' }),
    usageRow({ account: 'A1', module: 'admin', user: 'uB', day: '2026-07-02' }),
    // After the window: must not count.
    usageRow({ ...reports, user: 'uC', day: '2026-07-31', feature: 'export', count: 9 }),
  ]);
  await wh.insert('time_slices', [
    sliceRow({ ...reports, user: 'uA', day: '2026-07-01', ms: 10 * MINUTE }),
    sliceRow({ ...reports, user: 'uB', day: '2026-07-01', ms: 20 * MINUTE }),
    sliceRow({ ...reports, user: 'uA', day: '2026-07-02', ms: 30 * MINUTE }),
    sliceRow({ account: 'A1', module: 'admin', user: 'uB', day: '2026-07-02', ms: 5 * MINUTE }),
    sliceRow({ ...reports, user: 'uC', day: '2026-07-31', ms: 99 * MINUTE }),
  ]);
  // uD is a product user of A1 known only from its user record.
  await wh.insert('users', [userRecord('uD', 'A1', '2026-06-01')]);
});

afterAll(async () => {
  await wh.drop();
});

const window = { tenant: TENANT, date_from: '2026-07-01', date_to: '2026-07-30' };

describe('cs.module_usage', () => {
  it('gives time, days used, users, non-users and time per user per day used', async () => {
    const rows = await wh.rows(
      `SELECT * FROM {db}.module_usage(tenant = {tenant:String}, date_from = {date_from:Date}, date_to = {date_to:Date})
       ORDER BY account_id, module`,
      window,
    );
    // Product users of A1: uA, uB, uC (usage) and uD (record) = 4.
    // reports: 10 + 20 + 30 = 60 min over 3 (user, day) pairs = 20 min; users uA, uB; non-users 2.
    // admin: uB 5 min on one day; non-users 3.
    expect(rows).toEqual([
      {
        account_id: 'A1',
        product: 'app',
        module: 'admin',
        total_time_ms: 5 * MINUTE,
        total_days_used: 1,
        users: 1,
        non_users: 3,
        time_per_user_per_day_used_ms: 5 * MINUTE,
        last_used: '2026-07-02 10:00:00.000',
      },
      {
        account_id: 'A1',
        product: 'app',
        module: 'reports',
        total_time_ms: 60 * MINUTE,
        total_days_used: 2,
        users: 2,
        non_users: 2,
        time_per_user_per_day_used_ms: 20 * MINUTE,
        last_used: '2026-07-02 14:00:00.000',
      },
    ]);
  });

  it('answers the documented analyst query with literal parameters', async () => {
    const rows = await wh.rows<{ module: string }>(
      "SELECT module FROM {db}.module_usage(tenant='acme', date_from='2026-07-01', date_to='2026-07-30') ORDER BY module",
    );
    expect(rows.map((r) => r.module)).toEqual(['admin', 'reports']);
  });
});

describe('cs.feature_usage', () => {
  it('sums counts of feature events only, per user per day used', async () => {
    const rows = await wh.rows(
      `SELECT * FROM {db}.feature_usage(tenant = {tenant:String}, date_from = {date_from:Date}, date_to = {date_to:Date})`,
      window,
    );
    // export: 3 + 1 + 2 = 6 over (uA, d1), (uB, d1), (uA, d2) = 2 per user-day; the plain page
    // view and uC's use after the window do not count.
    expect(rows).toEqual([
      {
        account_id: 'A1',
        product: 'app',
        module: 'reports',
        feature: 'export',
        total_count: 6,
        total_days_used: 2,
        users: 2,
        non_users: 2,
        count_per_user_per_day_used: 2,
        last_used: '2026-07-02 13:00:00.000',
      },
    ]);
  });
});

describe('cs.user_activity and cs.account_activity', () => {
  const asOf = '2026-07-10';

  beforeAll(async () => {
    const beta = { tenant: 'beta' };
    await wh.insert(
      'usage_events',
      [
        usageRow({ user: 'p', account: 'X', day: '2026-07-04' }),
        usageRow({ user: 'q', account: 'X', day: '2026-07-10' }),
        usageRow({ user: 'r', account: 'Y', day: '2026-07-08' }),
      ].map((row) => ({ ...row, ...beta })),
    );
    await wh.insert(
      'time_slices',
      [
        sliceRow({ user: 'p', account: 'X', day: '2026-07-04', ms: 10 * MINUTE }),
        sliceRow({ user: 'q', account: 'X', day: '2026-07-10', ms: 10 * MINUTE }),
        sliceRow({ user: 'r', account: 'Y', day: '2026-07-08', ms: 30 * MINUTE }),
        // Before the window (as_of − 7): does not count.
        sliceRow({ user: 's', account: 'Z', day: '2026-07-03', ms: 100 * MINUTE }),
      ].map((row) => ({ ...row, ...beta })),
    );
    await wh.insert(
      'users',
      [
        userRecord('s', 'Z', '2026-07-01'),
        // Known only after as_of: not among the n users.
        userRecord('t', 'Y', '2026-07-11'),
      ].map((row) => ({ ...row, ...beta })),
    );
    await wh.insert('usage_events', [
      { ...usageRow({ user: 'only', account: 'O', day: asOf }), tenant: 'solo' },
    ]);
  });

  it('ranks users by activity over as_of−6 … as_of, ties sharing a rank', async () => {
    const rows = await wh.rows(
      'SELECT * FROM {db}.user_activity(tenant = {tenant:String}, as_of = {as_of:Date}) ORDER BY user_id',
      { tenant: 'beta', as_of: asOf },
    );
    // n = 4 (p, q, r, s). s: 0 min, none less → 0. p, q: 10 min, one less → 100 × 1 / 3.
    // r: 30 min, three less → 100.
    expect(rows).toEqual([
      { user_id: 'p', account_id: 'X', activity_ms: 10 * MINUTE, activity_rank: 100 / 3 },
      { user_id: 'q', account_id: 'X', activity_ms: 10 * MINUTE, activity_rank: 100 / 3 },
      { user_id: 'r', account_id: 'Y', activity_ms: 30 * MINUTE, activity_rank: 100 },
      { user_id: 's', account_id: 'Z', activity_ms: 0, activity_rank: 0 },
    ]);
  });

  it('ranks accounts with users by their own users’ time', async () => {
    const rows = await wh.rows(
      'SELECT * FROM {db}.account_activity(tenant = {tenant:String}, as_of = {as_of:Date}) ORDER BY account_id',
      { tenant: 'beta', as_of: asOf },
    );
    // X 20 min, Y 30 min, Z 0 → ranks 50, 100, 0 (n = 3).
    expect(rows).toEqual([
      { account_id: 'X', activity_ms: 20 * MINUTE, activity_rank: 50 },
      { account_id: 'Y', activity_ms: 30 * MINUTE, activity_rank: 100 },
      { account_id: 'Z', activity_ms: 0, activity_rank: 0 },
    ]);
  });

  it('gives rank 0 when the tenant knows one user', async () => {
    const rows = await wh.rows(
      'SELECT user_id, activity_rank FROM {db}.user_activity(tenant = {tenant:String}, as_of = {as_of:Date})',
      { tenant: 'solo', as_of: asOf },
    );
    expect(rows).toEqual([{ user_id: 'only', activity_rank: 0 }]);
  });
});

describe('a retried sink batch', () => {
  it('changes no view when inserted again with the same insert_deduplication_token', async () => {
    const dedup = { tenant: 'dedup' };
    const usage = [
      usageRow({ user: 'x', account: 'K', day: '2026-07-05', module: 'm', feature: 'f', count: 2 }),
      usageRow({ user: 'y', account: 'K', day: '2026-07-05', module: 'm' }),
    ].map((row) => ({ ...row, ...dedup }));
    const slices = [
      sliceRow({ user: 'x', account: 'K', day: '2026-07-05', module: 'm', ms: 4 * MINUTE }),
    ].map((row) => ({ ...row, ...dedup }));
    const figures = async (): Promise<unknown[]> => [
      ...(await wh.rows(
        "SELECT events, sessions, time_ms, active_users FROM {db}.daily_activity WHERE tenant = 'dedup'",
      )),
      ...(await wh.rows(
        "SELECT active_users, time_ms FROM {db}.monthly_activity WHERE tenant = 'dedup'",
      )),
      ...(await wh.rows(
        "SELECT total_count FROM {db}.feature_usage(tenant = 'dedup', date_from = '2026-07-01', date_to = '2026-07-31')",
      )),
      ...(await wh.rows(
        "SELECT count() AS facts FROM {facts_db}.usage_events WHERE tenant = 'dedup'",
      )),
    ];

    await wh.insert('usage_events', usage, 'usage:0:100-101');
    await wh.insert('time_slices', slices, 'slices:0:7-7');
    const once = await figures();
    await wh.insert('usage_events', usage, 'usage:0:100-101');
    await wh.insert('time_slices', slices, 'slices:0:7-7');

    expect(once).toEqual([
      { events: 2, sessions: 0, time_ms: 4 * MINUTE, active_users: 2 },
      { active_users: 2, time_ms: 4 * MINUTE },
      { total_count: 2 },
      { facts: 2 },
    ]);
    expect(await figures()).toEqual(once);

    // The same rows under another token are a new batch: the figures do move (the check can fail).
    await wh.insert('time_slices', slices, 'slices:0:8-8');
    expect(await wh.rows("SELECT time_ms FROM {db}.daily_activity WHERE tenant = 'dedup'")).toEqual(
      [{ time_ms: 8 * MINUTE }],
    );
  });
});
