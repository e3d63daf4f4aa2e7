/**
 * A deterministic flow of a few thousand derived records over every topic (signed corrections
 * included), for the exactly-once test: the same records are stored with and without faults.
 */
import type { DerivedName, RecordBySchemaName } from '@cs/schemas';
import {
  account,
  accountMrr,
  at,
  edge,
  epochDay,
  invoice,
  movement,
  session,
  slice,
  ticket,
  usage,
  user,
} from './derived-records.test-support.js';

export type Produced = {
  [N in DerivedName]: { name: N; key: string; record: RecordBySchemaName[`derived-${N}`] };
}[DerivedName];

const MIN = 60_000;
const DAYS = ['2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05'];

export function chaosScenario(users = 40, eventsPerDay = 8): Produced[] {
  const out: Produced[] = [];
  const accounts = 6;
  for (let a = 0; a < accounts; a += 1) {
    const id = `a${a}`;
    const parent = a === 0 ? null : 'a0';
    out.push({
      name: 'account-state',
      key: `acme/${id}`,
      record: account({ accountId: id, name: `Account ${a}`, parentId: parent }),
    });
    out.push({ name: 'hierarchy-edge', key: `acme/${id}`, record: edge(id, parent) });
    const price = String(100 * (a + 1));
    out.push({
      name: 'mrr-movement',
      key: `acme/${id}`,
      record: movement({
        accountId: id,
        kind: 'new',
        mrrBefore: '0',
        mrrAfter: price,
        delta: price,
      }),
    });
    out.push({
      name: 'account-mrr',
      key: `acme/${id}`,
      record: accountMrr({ accountId: id, mrr: price, seq: 0 }),
    });
    if (a % 2 === 1) {
      const when = { at: at('2026-06-10'), day: epochDay('2026-06-10') };
      out.push({
        name: 'mrr-movement',
        key: `acme/${id}`,
        record: movement({
          ...when,
          accountId: id,
          kind: 'churn',
          mrrBefore: price,
          mrrAfter: '0',
          delta: `-${price}`,
        }),
      });
      out.push({
        name: 'account-mrr',
        key: `acme/${id}`,
        record: accountMrr({ ...when, accountId: id, mrr: '0', seq: 1 }),
      });
    }
    out.push({
      name: 'invoice-state',
      key: `acme/${id}`,
      record: invoice({
        invoiceId: `i${a}`,
        accountId: id,
        recurringAmount: price,
        nonRecurringAmount: '1.5',
      }),
    });
    out.push({
      name: 'invoice-state',
      key: `acme/${id}`,
      record: invoice({
        invoiceId: `i${a}`,
        accountId: id,
        recurringAmount: price,
        nonRecurringAmount: '1.5',
        paidAt: at('2026-07-02'),
        paidDay: epochDay('2026-07-02'),
        ts: at('2026-07-02'),
      }),
    });
    out.push({
      name: 'ticket-state',
      key: `acme/${id}`,
      record: ticket({
        ticketId: `t${a}`,
        accountId: id,
        createdAt: at('2026-06-20'),
        createdDay: epochDay('2026-06-20'),
      }),
    });
  }
  for (let u = 0; u < users; u += 1) {
    const userId = `u${u}`;
    const accountId = `a${u % accounts}`;
    const path = accountId === 'a0' ? ['a0'] : ['a0', accountId];
    out.push({ name: 'user-state', key: `acme/${accountId}`, record: user({ userId, accountId }) });
    for (const day of DAYS) {
      const d = epochDay(day);
      const key = `acme/${userId}`;
      for (let k = 0; k < eventsPerDay; k += 1) {
        out.push({
          name: 'enriched-usage',
          key,
          record: usage({
            eventId: `e-${userId}-${day}-${k}`,
            userId,
            accountId,
            day: d,
            ts: at(day, '10:00:00') + k * 5 * MIN,
            module: `m${k % 3}`,
            feature: k % 2 === 0 ? `f${k % 4}` : null,
            accountPath: path,
          }),
        });
      }
      const base = { userId, accountId, day: d, startedAt: at(day, '10:00:00') };
      const early = session({
        ...base,
        sessionId: `s-${userId}-${day}`,
        endedAt: base.startedAt + 5 * MIN,
        durationMs: 5 * MIN,
        events: 2,
        moduleTimeMs: { m0: 5 * MIN },
      });
      const total = (eventsPerDay - 1) * 5 * MIN;
      out.push({ name: 'session', key, record: early });
      out.push({
        name: 'time-slice',
        key,
        record: slice({ userId, accountId, day: d, module: 'm0', ms: 5 * MIN }),
      });
      out.push({ name: 'session', key, record: { ...early, sign: -1 } });
      out.push({
        name: 'time-slice',
        key,
        record: slice({ userId, accountId, day: d, module: 'm0', ms: 5 * MIN, sign: -1 }),
      });
      out.push({
        name: 'session',
        key,
        record: session({
          ...base,
          sessionId: `s-${userId}-${day}`,
          endedAt: base.startedAt + total,
          durationMs: total,
          events: eventsPerDay,
          moduleTimeMs: { m0: total },
        }),
      });
      out.push({
        name: 'time-slice',
        key,
        record: slice({ userId, accountId, day: d, module: 'm0', ms: total }),
      });
    }
  }
  return out;
}

/** Rows each fact table must hold for a scenario: one per record. */
export function expectedRows(records: readonly Produced[]): Record<string, number> {
  const table: Record<DerivedName, string> = {
    'time-slice': 'time_slices',
    session: 'sessions',
    'late-event': 'late_events',
    'enriched-usage': 'usage_events',
    'account-state': 'accounts',
    'user-state': 'users',
    'hierarchy-edge': 'account_hierarchy',
    'mrr-movement': 'mrr_movements',
    'account-mrr': 'account_mrr',
    'invoice-state': 'invoices',
    'ticket-state': 'tickets',
  };
  const counts: Record<string, number> = {};
  for (const item of records) {
    const name = table[item.name];
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
