import { describe, expect, it } from 'vitest';
import { accountRecord, referenceOf, ticket } from './reference.test-support.js';

describe('ticket age', () => {
  // docs/metrics.md, as of 07-20.
  const reference = referenceOf(
    [
      accountRecord('2026-01-01T00:00', 'P', null),
      accountRecord('2026-01-01T00:01', 'C', 'P'),
      ticket('2026-07-01T10:00', 't1', 'P', '2026-07-11T09:00'),
      ticket('2026-07-15T10:00', 't2', 'P'),
      ticket('2026-07-10T10:00', 't3', 'P', '2026-07-25T09:00'),
      ticket('2026-07-21T10:00', 't4', 'P'),
      ticket('2026-07-19T10:00', 't5', 'C'),
    ],
    '2026-07-31',
    { timezone: 'UTC', timeoutMinutes: 30 },
  );

  it('ages closed tickets to closedAt and open ones (or closed later) to as-of, not rolled up', () => {
    const rows = Object.fromEntries(
      reference.ticket_age('acme', '2026-07-20').map((row) => [row.account_id, row]),
    );
    expect(rows).toEqual({
      P: { account_id: 'P', tickets: 3, open_tickets: 2, avg_age_days: 25 / 3 },
      C: { account_id: 'C', tickets: 1, open_tickets: 1, avg_age_days: 1 },
    });
  });

  it('counts local calendar days, not 24-hour periods', () => {
    // Created 23:30 local, closed 00:30 local the next day (Honolulu is UTC−10): 1 day.
    const honolulu = referenceOf(
      [ticket('2026-07-02T09:30', 't1', 'P', '2026-07-02T10:30')],
      '2026-07-31',
      { timezone: 'Pacific/Honolulu', timeoutMinutes: 30 },
    );
    expect(honolulu.ticket_age('acme', '2026-07-20')).toEqual([
      { account_id: 'P', tickets: 1, open_tickets: 0, avg_age_days: 1 },
    ]);
  });
});
