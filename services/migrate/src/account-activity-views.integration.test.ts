/**
 * cs.account_activity (migration 0009): an account's activity is the activity of its current
 * users (cs.users), the sum of their cs.user_activity, wherever their events were attributed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceRow, usageRow, userRecord } from './fact-rows.test-support.js';
import { MINUTE, migratedWarehouse, type MigratedWarehouse } from './warehouse.test-support.js';

let wh: MigratedWarehouse;
const moves = { tenant: 'moves' };
const asOf = '2026-07-10';

beforeAll(async () => {
  wh = await migratedWarehouse();
  // m works 10 min for X on 07-05, moves to Y on 07-07 (user record), works 20 min for Y on 07-08.
  // n (known from usage only, current account X) works 5 min for X on 07-06.
  // o (current account Z) worked 40 min on 07-03, before the window (as_of − 7).
  await wh.insert(
    'usage_events',
    [
      usageRow({ user: 'm', account: 'X', day: '2026-07-05' }),
      usageRow({ user: 'm', account: 'Y', day: '2026-07-08' }),
      usageRow({ user: 'n', account: 'X', day: '2026-07-06' }),
      usageRow({ user: 'o', account: 'Z', day: '2026-07-03' }),
    ].map((row) => ({ ...row, ...moves })),
  );
  await wh.insert(
    'time_slices',
    [
      sliceRow({ user: 'm', account: 'X', day: '2026-07-05', ms: 10 * MINUTE }),
      sliceRow({ user: 'm', account: 'Y', day: '2026-07-08', ms: 20 * MINUTE }),
      sliceRow({ user: 'n', account: 'X', day: '2026-07-06', ms: 5 * MINUTE }),
      sliceRow({ user: 'o', account: 'Z', day: '2026-07-03', ms: 40 * MINUTE }),
    ].map((row) => ({ ...row, ...moves })),
  );
  await wh.insert(
    'users',
    [
      userRecord('m', 'X', '2026-07-01'),
      userRecord('m', 'Y', '2026-07-07'),
      userRecord('o', 'Z', '2026-07-01'),
    ].map((row) => ({ ...row, ...moves })),
  );
});

afterAll(async () => {
  await wh.drop();
});

describe('cs.account_activity', () => {
  it('sums the time of the account’s current users, a moved user’s whole window with it', async () => {
    const rows = await wh.rows(
      'SELECT * FROM {db}.account_activity(tenant = {tenant:String}, as_of = {as_of:Date}) ORDER BY account_id',
      { tenant: 'moves', as_of: asOf },
    );
    // Y: m's 10 + 20 min (m is Y's now); X: n's 5 min (not m's 10); Z: 0 (o's time is before the
    // window). n = 3 accounts: Z 0 → rank 0, X → 100 × 1 / 2 = 50, Y → 100.
    expect(rows).toEqual([
      { account_id: 'X', activity_ms: 5 * MINUTE, activity_rank: 50 },
      { account_id: 'Y', activity_ms: 30 * MINUTE, activity_rank: 100 },
      { account_id: 'Z', activity_ms: 0, activity_rank: 0 },
    ]);
  });

  it('equals the sum of cs.user_activity per current account', async () => {
    const users = await wh.rows(
      'SELECT account_id, sum(activity_ms) AS activity_ms FROM {db}.user_activity(tenant = {tenant:String}, as_of = {as_of:Date}) GROUP BY account_id ORDER BY account_id',
      { tenant: 'moves', as_of: asOf },
    );
    const accounts = await wh.rows(
      'SELECT account_id, activity_ms FROM {db}.account_activity(tenant = {tenant:String}, as_of = {as_of:Date}) ORDER BY account_id',
      { tenant: 'moves', as_of: asOf },
    );
    expect(accounts).toEqual(users);
  });
});
