import { describe, expect, it } from 'vitest';
import { MINUTE, referenceOf, usage, userRecord } from './reference.test-support.js';

describe('module and feature usage', () => {
  // docs/metrics.md: day 1, A uses reports 10 min and B 20 min; day 2, A 30 min. Product users
  // A, B, C, D. Feature export: A ×3 and B ×1 on day 1, A ×2 on day 2.
  const reference = referenceOf([
    usage('2026-07-01T09:00', 'A', 'a1', 'reports', { feature: 'export', count: 3 }),
    usage('2026-07-01T09:10', 'A', 'a1', 'reports'),
    usage('2026-07-01T10:00', 'B', 'a1', 'reports', { feature: 'export' }),
    usage('2026-07-01T10:20', 'B', 'a1', 'reports'),
    usage('2026-07-02T09:00', 'A', 'a1', 'reports', { feature: 'export', count: 2 }),
    usage('2026-07-02T09:30', 'A', 'a1', 'reports'),
    usage('2026-07-09T09:00', 'A', 'a1', 'reports'),
    userRecord('2026-06-01T00:00', 'C', 'a1'),
    userRecord('2026-06-01T00:00', 'D', 'a1'),
  ]);

  it('gives 20 minutes per user per day used for 60 minutes over 3 (user, day) pairs', () => {
    expect(reference.module_usage('acme', '2026-07-01', '2026-07-02')).toEqual([
      {
        account_id: 'a1',
        product: '',
        module: 'reports',
        total_time_ms: 60 * MINUTE,
        total_days_used: 2,
        users: 2,
        non_users: 2,
        time_per_user_per_day_used_ms: 20 * MINUTE,
        last_used: Date.parse('2026-07-02T09:30:00Z'),
      },
    ]);
  });

  it('sums feature counts and leaves plain activity out', () => {
    expect(reference.feature_usage('acme', '2026-07-01', '2026-07-02')).toEqual([
      {
        account_id: 'a1',
        product: '',
        module: 'reports',
        feature: 'export',
        total_count: 6,
        total_days_used: 2,
        users: 2,
        non_users: 2,
        count_per_user_per_day_used: 2,
        last_used: Date.parse('2026-07-02T09:00:00Z'),
      },
    ]);
  });

  it('only counts the window', () => {
    const day2 = reference.module_usage('acme', '2026-07-02', '2026-07-09');
    expect(day2).toEqual([
      expect.objectContaining({
        total_time_ms: 30 * MINUTE,
        total_days_used: 2,
        users: 1,
        non_users: 3,
      }),
    ]);
    expect(reference.feature_usage('acme', '2026-07-03', '2026-07-09')).toEqual([]);
  });
});
