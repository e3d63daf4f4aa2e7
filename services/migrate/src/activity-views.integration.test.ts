/**
 * cs.daily_activity, cs.monthly_activity, cs.sessions, cs.users, cs.accounts against fact rows
 * inserted as the sink would; every expected figure is worked out by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TENANT,
  accountRecord,
  sessionRow,
  sliceRow,
  usageRow,
  userRecord,
} from './fact-rows.test-support.js';
import {
  MINUTE,
  addDays,
  migratedWarehouse,
  type MigratedWarehouse,
} from './warehouse.test-support.js';

const D = '2026-07-31';
let wh: MigratedWarehouse;

beforeAll(async () => {
  wh = await migratedWarehouse();
  await wh.insert('usage_events', [
    // d−30: outside the window of d.
    usageRow({ user: 'u2', account: 'a2', day: addDays(D, -30) }),
    // d−29: the first day of the window of d.
    usageRow({ user: 'u1', account: 'a1', day: addDays(D, -29) }),
    // d: two users of a1, three events.
    usageRow({ user: 'u3', account: 'a1', day: D, time: '10:00:00' }),
    usageRow({ user: 'u3', account: 'a1', day: D, time: '10:30:00' }),
    usageRow({ user: 'u4', account: 'a1', day: D, time: '11:00:00' }),
  ]);
  await wh.insert('time_slices', [
    sliceRow({ user: 'u2', account: 'a2', day: addDays(D, -30), ms: 20 * MINUTE }),
    sliceRow({ user: 'u1', account: 'a1', day: addDays(D, -29), ms: 10 * MINUTE }),
    // The sessionizer first saw 5 minutes for u3, then a late event: it retracts and re-emits.
    sliceRow({ user: 'u3', account: 'a1', day: D, ms: 5 * MINUTE }),
    sliceRow({ user: 'u4', account: 'a1', day: D, ms: 15 * MINUTE }),
  ]);
  await wh.insert('time_slices', [
    sliceRow({ user: 'u3', account: 'a1', day: D, ms: 5 * MINUTE, sign: -1 }),
    sliceRow({ user: 'u3', account: 'a1', day: D, ms: 30 * MINUTE }),
  ]);
  const first = { id: 's3', user: 'u3', account: 'a1', day: D, start: '10:00:00', events: 1 };
  await wh.insert('sessions', [
    sessionRow({ ...first, durationMs: 5 * MINUTE }),
    sessionRow({
      id: 's4',
      user: 'u4',
      account: 'a1',
      day: D,
      start: '11:00:00',
      durationMs: 15 * MINUTE,
      events: 1,
    }),
  ]);
  await wh.insert('sessions', [
    sessionRow({ ...first, durationMs: 5 * MINUTE, sign: -1 }),
    sessionRow({ ...first, durationMs: 30 * MINUTE, events: 2, modules: { reports: 30 * MINUTE } }),
  ]);
  await wh.insert('users', [
    userRecord('u5', 'a1', '2026-07-01'),
    userRecord('u4', 'a1', '2026-06-01'),
  ]);
  await wh.insert('accounts', [accountRecord('a1', { name: 'Acme One' })]);
});

afterAll(async () => {
  await wh.drop();
});

describe('cs.daily_activity', () => {
  it('counts active users, accounts, events, signed time and net sessions of a day', async () => {
    const rows = await wh.rows(
      'SELECT * EXCEPT tenant FROM {db}.daily_activity WHERE tenant = {t:String} AND day = {d:Date}',
      { t: TENANT, d: D },
    );
    // u3 30 min (the 5-minute slice cancelled) + u4 15 min = 45 min over 2 users and 1 account.
    expect(rows).toEqual([
      {
        day: D,
        active_users: 2,
        active_accounts: 1,
        sessions: 2,
        events: 3,
        time_ms: 45 * MINUTE,
        time_per_active_user_ms: 22.5 * MINUTE,
        time_per_active_account_ms: 45 * MINUTE,
      },
    ]);
  });

  it('has one row per day with activity', async () => {
    const rows = await wh.rows<{ day: string }>(
      'SELECT day FROM {db}.daily_activity WHERE tenant = {t:String} ORDER BY day',
      { t: TENANT },
    );
    expect(rows.map((r) => r.day)).toEqual([addDays(D, -30), addDays(D, -29), D]);
  });
});

describe('cs.monthly_activity', () => {
  it('counts users active on d−29 but not on d−30', async () => {
    const rows = await wh.rows(
      'SELECT * EXCEPT tenant FROM {db}.monthly_activity WHERE tenant = {t:String} AND day = {d:Date}',
      { t: TENANT, d: D },
    );
    // Window d−29 … d: u1 (d−29), u3 and u4 (d) — not u2 (d−30); accounts: a1 only.
    // Time: 10 + 30 + 15 = 55 min; per user 55 / 3 min = 1,100,000 ms; per account 55 min.
    expect(rows).toEqual([
      {
        day: D,
        active_users: 3,
        active_accounts: 1,
        time_ms: 55 * MINUTE,
        time_per_active_user_ms: 1_100_000,
        time_per_active_account_ms: 55 * MINUTE,
      },
    ]);
  });

  it('on d−29 still sees d−30 (window d−58 … d−29)', async () => {
    const rows = await wh.rows(
      'SELECT active_users, active_accounts, time_ms FROM {db}.monthly_activity WHERE tenant = {t:String} AND day = {d:Date}',
      { t: TENANT, d: addDays(D, -29) },
    );
    // u1/a1 (10 min) and u2/a2 (20 min).
    expect(rows).toEqual([{ active_users: 2, active_accounts: 2, time_ms: 30 * MINUTE }]);
  });
});

describe('cs.sessions', () => {
  it('shows a corrected session once, in its corrected form', async () => {
    const rows = await wh.rows(
      'SELECT session_id, duration_ms, events, module_time_ms FROM {db}.sessions WHERE tenant = {t:String} ORDER BY session_id',
      { t: TENANT },
    );
    expect(rows).toEqual([
      {
        session_id: 's3',
        duration_ms: 30 * MINUTE,
        events: 2,
        module_time_ms: { reports: 30 * MINUTE },
      },
      {
        session_id: 's4',
        duration_ms: 15 * MINUTE,
        events: 1,
        module_time_ms: { '': 15 * MINUTE },
      },
    ]);
  });
});

describe('cs.users and cs.accounts', () => {
  it('know users from records and from usage, with first and last seen days', async () => {
    const rows = await wh.rows(
      'SELECT user_id, account_id, email, first_seen, last_seen FROM {db}.users WHERE tenant = {t:String} ORDER BY user_id',
      { t: TENANT },
    );
    expect(rows).toEqual([
      {
        user_id: 'u1',
        account_id: 'a1',
        email: '',
        first_seen: addDays(D, -29),
        last_seen: addDays(D, -29),
      },
      {
        user_id: 'u2',
        account_id: 'a2',
        email: '',
        first_seen: addDays(D, -30),
        last_seen: addDays(D, -30),
      },
      { user_id: 'u3', account_id: 'a1', email: '', first_seen: D, last_seen: D },
      { user_id: 'u4', account_id: 'a1', email: 'u4@example.com', first_seen: D, last_seen: D },
      {
        user_id: 'u5',
        account_id: 'a1',
        email: 'u5@example.com',
        first_seen: null,
        last_seen: null,
      },
    ]);
  });

  it('count product users per account and its first and last seen days', async () => {
    const rows = await wh.rows(
      'SELECT account_id, name, parent_id, first_seen, last_seen, product_users FROM {db}.accounts WHERE tenant = {t:String} ORDER BY account_id',
      { t: TENANT },
    );
    // a1: u1, u3, u4 (usage) and u5 (record only) = 4; a2: u2.
    expect(rows).toEqual([
      {
        account_id: 'a1',
        name: 'Acme One',
        parent_id: null,
        first_seen: addDays(D, -29),
        last_seen: D,
        product_users: 4,
      },
      {
        account_id: 'a2',
        name: '',
        parent_id: null,
        first_seen: addDays(D, -30),
        last_seen: addDays(D, -30),
        product_users: 1,
      },
    ]);
  });
});
