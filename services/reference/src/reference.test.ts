import { describe, expect, it } from 'vitest';
import type { Reference } from './reference.js';
import {
  accountRecord,
  invoice,
  referenceOf,
  subscription,
  ticket,
  usage,
  userRecord,
} from './reference.test-support.js';

const CLEAN = [
  accountRecord('2026-07-01T00:00', 'P', null),
  accountRecord('2026-07-01T00:01', 'C', 'P'),
  accountRecord('2026-07-02T00:00', 'C', null),
  accountRecord('2026-07-03T00:00', 'C', 'P'),
  userRecord('2026-07-01T00:02', 'u1', 'P'),
  userRecord('2026-07-01T00:03', 'u2', 'C'),
  userRecord('2026-07-05T00:00', 'u2', 'P'),
  usage('2026-07-01T09:00', 'u1', 'P', 'reports', { feature: 'export', count: 2 }),
  // Same ts for one user: ordered by id, whatever the arrival order.
  usage('2026-07-01T09:10', 'u1', 'P', 'billing'),
  usage('2026-07-01T09:10', 'u1', 'P', 'reports'),
  usage('2026-07-01T09:30', 'u1', 'C', 'reports'),
  usage('2026-07-01T10:30', 'u2', 'C', 'billing'),
  usage('2026-07-01T10:45', 'u2', 'C', 'billing', { feature: 'pay' }),
  usage('2026-07-03T23:50', 'u2', 'C', 'billing'),
  usage('2026-07-04T00:10', 'u2', 'C', 'billing'),
  subscription('2026-07-01T00:00', 's1', 'P', 'start', '100'),
  subscription('2026-07-10T00:00', 's1', 'P', 'change', '120'),
  subscription('2026-07-02T00:00', 's2', 'C', 'start', '30', { billingPeriodMonths: 3 }),
  subscription('2026-08-02T00:00', 's2', 'C', 'cancel'),
  invoice('2026-07-01T00:00', 'i1', 'P', '100', '10', '2026-07-03T00:00'),
  invoice('2026-07-02T00:00', 'i2', 'C', '30', '0'),
  ticket('2026-07-02T10:00', 't1', 'C'),
  ticket('2026-07-02T10:00', 't1', 'C', '2026-07-06T10:00'),
];

/** Every view, rows in a canonical order, so two references compare with toEqual. */
function snapshot(reference: Reference): Record<string, unknown[]> {
  const canonical = (rows: readonly unknown[]): unknown[] =>
    rows.map((row) => JSON.stringify(row)).sort();
  return {
    daily: canonical(reference.daily_activity),
    monthly: canonical(reference.monthly_activity),
    own: canonical(reference.account_daily_activity),
    rollup: canonical(reference.account_daily_activity_rollup),
    sessions: canonical(reference.sessions),
    accounts: canonical(reference.accounts),
    users: canonical(reference.users),
    mrr: canonical(reference.mrr_monthly),
    modules: canonical(reference.module_usage('acme', '2026-07-01', '2026-07-31')),
    features: canonical(reference.feature_usage('acme', '2026-07-01', '2026-07-31')),
    userActivity: canonical(reference.user_activity('acme', '2026-07-04')),
    accountActivity: canonical(reference.account_activity('acme', '2026-07-04')),
    financials: canonical(reference.account_financials('acme', '2026-07-20')),
    tickets: canonical(reference.ticket_age('acme', '2026-07-20')),
  };
}

describe('computeReference', () => {
  it('gives the same views for duplicated, out-of-order input as for the clean in-order file', () => {
    const clean = referenceOf(CLEAN, '2026-08-31');
    const messy = referenceOf([...CLEAN].reverse().concat(CLEAN, CLEAN.slice(0, 5)), '2026-08-31');
    expect(snapshot(messy)).toEqual(snapshot(clean));
    expect(clean.sessions.length).toBeGreaterThan(0);
    // Sanity: the clean file exercises the views (u2 moved to P; C is back under P).
    expect(clean.users.find((user) => user.user_id === 'u2')?.account_id).toBe('P');
    expect(clean.accounts.find((account) => account.account_id === 'C')?.parent_id).toBe('P');
  });

  it('ignores a duplicate id even when its content differs: the first occurrence wins', () => {
    const first =
      '{"type":"usage","id":"x","tenant":"acme","ts":1782900000000,"accountId":"a","userId":"u"}';
    const second = first.replace('"accountId":"a"', '"accountId":"b"');
    const reference = referenceOf([first, second]);
    expect(reference.daily_activity).toMatchObject([{ events: 1, active_accounts: 1 }]);
    expect(reference.users).toMatchObject([{ user_id: 'u', account_id: 'a' }]);
  });

  it('takes the entity record with the latest ts, and the later arrival on equal ts', () => {
    const reference = referenceOf([
      userRecord('2026-07-02T00:00', 'u1', 'late-ts'),
      userRecord('2026-07-01T00:00', 'u1', 'early-ts'),
      userRecord('2026-07-03T00:00', 'u2', 'first-arrival'),
      userRecord('2026-07-03T00:00', 'u2', 'second-arrival'),
    ]);
    const accounts = Object.fromEntries(
      reference.users.map((user) => [user.user_id, user.account_id]),
    );
    expect(accounts).toEqual({ u1: 'late-ts', u2: 'second-arrival' });
  });

  it('reports refused lines with their line numbers and leaves them out', () => {
    const reference = referenceOf([
      usage('2026-07-01T09:00', 'u1', 'a1'),
      '{"type":"usage","id":"bad","tenant":"acme","ts":"2026-07-01T09:05:00Z","userId":"u1"}',
      '',
      'not json',
    ]);
    expect(reference.refused_lines.map((refusal) => refusal.line)).toEqual([2, 4]);
    expect(reference.refused_lines[0]?.reason).toBe('accountId: required string of 1..256 chars');
    expect(reference.refused_lines[1]?.reason).toMatch(/^line: not JSON/);
    expect(reference.daily_activity).toMatchObject([{ events: 1 }]);
    expect(reference.dead_letters).toBe(0);
  });
});
