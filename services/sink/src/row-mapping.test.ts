import { describe, expect, it } from 'vitest';
import { FACT_TABLES, TABLE_OF_DERIVED } from './fact-tables.js';
import { mapDerived } from './row-mapping.js';
import {
  account,
  accountMrr,
  at,
  edge,
  epochDay,
  invoice,
  late,
  movement,
  session,
  slice,
  ticket,
  usage,
  user,
} from './derived-records.test-support.js';

const rowOf = (row: ReturnType<typeof mapDerived>) => row;

describe('row mapping', () => {
  it('maps every derived topic to a fact table', () => {
    expect(new Set(Object.values(TABLE_OF_DERIVED))).toEqual(
      new Set(FACT_TABLES.filter((table) => table !== 'dead_letters')),
    );
  });

  it('usage: nulls become empty strings, dates and times in ClickHouse text', () => {
    const row = rowOf(
      mapDerived(
        'enriched-usage',
        usage({ eventId: 'e1', accountPath: ['root', 'a1'], role: 'admin' }),
        '5',
      ),
    );
    expect(row).toEqual({
      tenant: 'acme',
      event_id: 'e1',
      ts: '2026-07-01 10:00:00.000',
      day: '2026-07-01',
      account_id: 'a1',
      user_id: 'u1',
      product: 'app',
      module: '',
      feature: '',
      count: 1,
      account_path: ['root', 'a1'],
      properties: {},
    });
  });

  it('time slices and sessions keep their sign', () => {
    expect(rowOf(mapDerived('time-slice', slice({ ms: 600_000, sign: -1 }), '1'))).toMatchObject({
      session_id: '',
      ms: 600_000,
      sign: -1,
    });
    const row = rowOf(
      mapDerived(
        'session',
        session({
          sessionId: 's1',
          durationMs: 60_000,
          endedAt: at('2026-07-01', '10:01:00'),
          moduleTimeMs: { m: 60_000 },
        }),
        '2',
      ),
    );
    expect(row).toMatchObject({
      ended_at: '2026-07-01 10:01:00.000',
      module_time_ms: { m: 60_000 },
      sign: 1,
    });
  });

  it('late events: one row per record, days and time in ClickHouse text (migration 0008)', () => {
    expect(mapDerived('late-event', late({ eventId: 'e9', userId: 'u2' }), '4')).toEqual({
      tenant: 'acme',
      event_id: 'e9',
      user_id: 'u2',
      account_id: 'a1',
      ts: '2026-06-28 10:00:00.000',
      day: '2026-06-28',
      held_from_day: '2026-06-30',
    });
  });

  it('refuses a sign other than ±1', () => {
    expect(() => mapDerived('session', session({ sessionId: 's', sign: 0 }), '1')).toThrow(/sign/);
  });

  it('entity states get seq = the record offset', () => {
    expect(
      rowOf(
        mapDerived(
          'account-state',
          account({ accountId: 'a1', joinDate: epochDay('2026-01-15') }),
          '42',
        ),
      ),
    ).toMatchObject({
      name: '',
      parent_id: null,
      join_date: '2026-01-15',
      renewal_date: null,
      seq: 42,
    });
    expect(rowOf(mapDerived('user-state', user({ userId: 'u1' }), '7'))).toMatchObject({
      seq: 7,
      day: '2026-06-01',
    });
    expect(rowOf(mapDerived('hierarchy-edge', edge('a2', 'a1'), '3'))).toEqual({
      tenant: 'acme',
      account_id: 'a2',
      parent_id: 'a1',
      ts: '2026-06-01 10:00:00.000',
      seq: 3,
    });
    expect(
      rowOf(
        mapDerived(
          'invoice-state',
          invoice({ invoiceId: 'i1', paidAt: at('2026-07-03'), paidDay: epochDay('2026-07-03') }),
          '9',
        ),
      ),
    ).toMatchObject({
      recurring_amount: '100',
      paid_at: '2026-07-03 10:00:00.000',
      paid_day: '2026-07-03',
      currency: 'EUR',
      seq: 9,
    });
    expect(rowOf(mapDerived('ticket-state', ticket({ ticketId: 't1' }), '11'))).toMatchObject({
      user_id: '',
      status: 'open',
      closed_at: null,
      closed_day: null,
      seq: 11,
    });
  });

  it('billing rows keep billing seq and their sign (migration 0007)', () => {
    expect(
      mapDerived('account-mrr', accountMrr({ accountId: 'a1', mrr: '166.666667', seq: 4 }), '900'),
    ).toMatchObject({ mrr: '166.666667', seq: 4, day: '2026-05-10', sign: 1 });
    const retraction = movement({
      accountId: 'a1',
      kind: 'new',
      mrrBefore: '0',
      mrrAfter: '10',
      delta: '10',
      sign: -1,
    });
    expect(mapDerived('mrr-movement', retraction, '1')).toMatchObject({
      kind: 'new',
      delta: '10',
      sign: -1,
    });
  });
});
