import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionRow, SessionizerOutput, Sign, TimeSliceRow } from '../outputs.js';
import { NetRows, type NettedRows } from './net-rows.js';

function session(
  sessionId: string,
  events: number,
  sign: Sign,
  modules: Record<string, number> = { Reports: 1 },
): SessionRow {
  const moduleTimeMs = Object.create(null) as Record<string, number>;
  Object.assign(moduleTimeMs, modules);
  return {
    sessionId,
    tenant: 't1',
    userId: 'u1',
    accountId: 'a1',
    day: '2026-03-02',
    startedAt: 1_000,
    endedAt: 1_000 + events * 60_000,
    durationMs: events * 60_000,
    events,
    moduleTimeMs,
    sign,
  };
}

function time(
  module: string,
  ms: number,
  sign: Sign,
  accountId = 'a1',
  product = 'p',
): TimeSliceRow {
  return {
    tenant: 't1',
    userId: 'u1',
    accountId,
    day: '2026-03-02',
    module,
    product,
    ms,
    sign,
  };
}

const asOutputs = (rows: ReadonlyArray<SessionRow | TimeSliceRow>): SessionizerOutput[] =>
  rows.map((row) => ('sessionId' in row ? { kind: 'session', row } : { kind: 'time', row }));

// The sums the warehouse takes, written independently of NetRows' keys: a session's content is
// every field but the sign, with its modules sorted; time is summed per context as time_daily does.
function sessionContent(row: SessionRow): string {
  const { sign: _sign, moduleTimeMs, ...rest } = row;
  const fields = Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1));
  const modules = Object.entries(moduleTimeMs).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify({ fields, modules });
}

function sums(rows: { sessions: readonly SessionRow[]; time: readonly TimeSliceRow[] }) {
  const sessions = new Map<string, number>();
  const sessionsPerDay = new Map<string, number>();
  const time = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, by: number) =>
    map.set(key, (map.get(key) ?? 0) + by);
  for (const row of rows.sessions) {
    add(sessions, sessionContent(row), row.sign);
    add(sessionsPerDay, `${row.tenant}|${row.day}|${row.accountId}`, row.sign);
  }
  for (const row of rows.time) {
    const context = [row.tenant, row.day, row.accountId, row.userId, row.product, row.module];
    add(time, context.join('|'), row.sign * row.ms);
  }
  const nonZero = (map: Map<string, number>) =>
    Object.fromEntries(
      [...map].filter(([, sum]) => sum !== 0).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  return {
    sessions: nonZero(sessions),
    sessionsPerDay: nonZero(sessionsPerDay),
    time: nonZero(time),
  };
}

const rawRows = (rows: ReadonlyArray<SessionRow | TimeSliceRow>) => ({
  sessions: rows.filter((row): row is SessionRow => 'sessionId' in row),
  time: rows.filter((row): row is TimeSliceRow => !('sessionId' in row)),
});

/** A pool small enough that the same rows come back with both signs. */
const rowArbitrary: fc.Arbitrary<SessionRow | TimeSliceRow> = fc.oneof(
  fc
    .record({
      id: fc.constantFrom('s1', 's2'),
      events: fc.integer({ min: 1, max: 3 }),
      sign: fc.constantFrom<Sign>(1, -1),
      billing: fc.constantFrom(0, 5),
    })
    .map(({ id, events, sign, billing }) =>
      session(id, events, sign, billing === 0 ? { Reports: 1 } : { Reports: 1, Billing: billing }),
    ),
  fc
    .record({
      module: fc.constantFrom('Reports', 'Billing'),
      account: fc.constantFrom('a1', 'a2'),
      product: fc.constantFrom('p', 'q'),
      ms: fc.integer({ min: 1, max: 5 }).map((n) => n * 1_000),
      sign: fc.constantFrom<Sign>(1, -1),
    })
    .map(({ module, account, product, ms, sign }) => time(module, ms, sign, account, product)),
);

describe('NetRows', () => {
  it('keeps every sum the warehouse takes, over any rows cut into any units', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }),
        (rows, cuts) => {
          const net = new NetRows();
          const taken: NettedRows[] = [];
          rows.forEach((row, index) => {
            if (cuts.includes(index)) taken.push(net.take());
            net.add(asOutputs([row]));
          });
          taken.push(net.take());
          const netted = {
            sessions: taken.flatMap((unit) => unit.sessions),
            time: taken.flatMap((unit) => unit.time),
          };
          expect(sums(netted)).toEqual(sums(rawRows(rows)));
          for (const row of netted.time) expect(row.ms).toBeGreaterThan(0);
          // Within a unit a content is emitted with one sign only: nothing left to cancel.
          for (const unit of taken) {
            const signs = new Map<string, Set<Sign>>();
            for (const row of unit.sessions) {
              const key = sessionContent(row);
              signs.set(key, (signs.get(key) ?? new Set()).add(row.sign));
            }
            for (const set of signs.values()) expect(set.size).toBe(1);
            const contexts = unit.time.map(
              (row) => `${row.accountId}|${row.module}|${row.product}`,
            );
            expect(new Set(contexts).size).toBe(contexts.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('cancels a row and its exact retraction, in either order', () => {
    const net = new NetRows();
    net.add(asOutputs([session('s1', 2, 1), time('Reports', 500, 1)]));
    net.add(asOutputs([session('s1', 2, -1), time('Reports', 500, -1)]));
    net.add(asOutputs([session('s2', 1, -1)]));
    net.add(asOutputs([session('s2', 1, 1)]));
    expect(net.take()).toEqual({ sessions: [], time: [] });
  });

  it('nets a run of appends to the session the unit began with and the one it ends with', () => {
    const net = new NetRows();
    // What the core emits for three in-order appends to s1 (2 → 5 events), gaps of 60 s.
    net.add(asOutputs([session('s1', 2, -1), session('s1', 3, 1), time('Reports', 60_000, 1)]));
    net.add(asOutputs([session('s1', 3, -1), session('s1', 4, 1), time('Reports', 60_000, 1)]));
    net.add(asOutputs([session('s1', 4, -1), session('s1', 5, 1), time('Billing', 30_000, 1)]));
    expect(net.take()).toEqual({
      sessions: [session('s1', 2, -1), session('s1', 5, 1)],
      time: [time('Reports', 120_000, 1), time('Billing', 30_000, 1)],
    });
    expect(net.take()).toEqual({ sessions: [], time: [] });
  });

  it('keeps rows that differ in any field but the sign apart', () => {
    const net = new NetRows();
    net.add(asOutputs([session('s1', 2, 1, { Reports: 1 })]));
    net.add(asOutputs([session('s1', 2, -1, { Reports: 2 })]));
    // The same module times in another order are another Avro map: left to the warehouse.
    net.add(asOutputs([session('s3', 2, 1, { Reports: 1, Admin: 2 })]));
    net.add(asOutputs([session('s3', 2, -1, { Admin: 2, Reports: 1 })]));
    net.add(asOutputs([time('Reports', 500, 1, 'a1'), time('Reports', 500, -1, 'a2')]));
    expect(net.take()).toEqual({
      sessions: [
        session('s1', 2, 1, { Reports: 1 }),
        session('s1', 2, -1, { Reports: 2 }),
        session('s3', 2, 1, { Reports: 1, Admin: 2 }),
        session('s3', 2, -1, { Admin: 2, Reports: 1 }),
      ],
      time: [time('Reports', 500, 1, 'a1'), time('Reports', 500, -1, 'a2')],
    });
  });

  it('emits a net count above one that many times, with the net sign', () => {
    const net = new NetRows();
    net.add(asOutputs([session('s1', 1, 1), session('s1', 1, 1), session('s2', 1, 1)]));
    net.add(asOutputs([session('s2', 1, -1), session('s2', 1, -1), time('Admin', 700, 1)]));
    net.add(asOutputs([time('Admin', 1_000, -1)]));
    expect(net.take()).toEqual({
      sessions: [session('s1', 1, 1), session('s1', 1, 1), session('s2', 1, -1)],
      time: [time('Admin', 300, -1)],
    });
  });

  it('ignores activity and late rows', () => {
    const net = new NetRows();
    net.add([
      {
        kind: 'late',
        row: {
          tenant: 't1',
          userId: 'u1',
          accountId: 'a1',
          day: '2026-03-01',
          eventId: 'e1',
          ts: 1,
          heldFromDay: '2026-03-02',
        },
      },
    ]);
    expect(net.size).toBe(0);
    expect(net.take()).toEqual({ sessions: [], time: [] });
  });
});
