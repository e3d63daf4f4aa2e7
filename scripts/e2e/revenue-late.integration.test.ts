// End to end, the gaps of pipeline.integration.test.ts: invoice revenue, lifetime revenue and
// cashflow with paid and unpaid invoices through a two-level hierarchy (CONTRACT §2 Revenue, §3
// cs.account_financials), and a late event (older than the sessionizer's horizon) through the
// whole pipeline — `cs ingest` → Kafka → sessionizer, enricher, billing → sink → ClickHouse —
// with every figure worked out by hand in the comments.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCommand } from '@cs/cli';
import { startPipeline, type Pipeline } from '../testing/pipeline.js';
import { account, toNdjson, usage, type CanonicalJson } from './scenarios.js';

const REVENUE = 'e2e-invoices';
const LATE = 'e2e-late';
const MIN = 60_000;

let pipeline: Pipeline;
let dir: string;

const n = (value: unknown): number => Number(value);

/**
 * R ← M ← L (L under M under R). MRR: R 100, L 50 from 10-01. Invoices (issued → paid):
 *
 * | invoice | account | issued | recurring | non-recurring | paid            |
 * | r1      | R       | 09-15  | 100       | 0             | 10-02           |
 * | r2      | R       | 10-05  | 100       | 40            | unpaid          |
 * | m1      | M       | 10-10  | 0         | 25            | 10-12           |
 * | m2      | M       | 08-20  | 30        | 0             | unpaid, then 10-15 (a later record) |
 * | l1      | L       | 10-03  | 50        | 0             | 10-04           |
 * | l2      | L       | 10-18  | 50        | 10            | 10-25           |
 * | l3      | L       | 10-25  | 50        | 0             | unpaid          |
 */
function revenueEvents(): CanonicalJson[] {
  let id = 0;
  const invoice = (
    ts: string,
    invoiceId: string,
    accountId: string,
    issuedAt: string,
    amounts: { recurring?: string; nonRecurring?: string; paidAt?: string },
  ): CanonicalJson => ({
    type: 'invoice',
    id: `inv-${String((id += 1))}`,
    tenant: REVENUE,
    ts,
    invoiceId,
    accountId,
    issuedAt,
    ...(amounts.recurring === undefined ? {} : { recurringAmount: amounts.recurring }),
    ...(amounts.nonRecurring === undefined ? {} : { nonRecurringAmount: amounts.nonRecurring }),
    ...(amounts.paidAt === undefined ? {} : { paidAt: amounts.paidAt }),
    currency: 'USD',
  });
  const start = (ts: string, accountId: string, amount: string): CanonicalJson => ({
    type: 'subscription',
    id: `sub-${String((id += 1))}`,
    tenant: REVENUE,
    ts,
    subscriptionId: `sub-${accountId}`,
    accountId,
    action: 'start',
    plan: 'team',
    amount,
    currency: 'USD',
  });
  return [
    account(REVENUE, '2026-08-01T08:00:00.000Z', 'R', null),
    account(REVENUE, '2026-08-01T08:01:00.000Z', 'M', 'R'),
    account(REVENUE, '2026-08-01T08:02:00.000Z', 'L', 'M'),
    invoice('2026-08-20T09:00:00.000Z', 'm2', 'M', '2026-08-20T09:00:00.000Z', {
      recurring: '30',
    }),
    invoice('2026-09-15T09:00:00.000Z', 'r1', 'R', '2026-09-15T09:00:00.000Z', {
      recurring: '100',
      paidAt: '2026-10-02T09:00:00.000Z',
    }),
    start('2026-10-01T00:00:00.000Z', 'R', '100'),
    start('2026-10-01T00:00:00.000Z', 'L', '50'),
    invoice('2026-10-03T09:00:00.000Z', 'l1', 'L', '2026-10-03T09:00:00.000Z', {
      recurring: '50',
      paidAt: '2026-10-04T09:00:00.000Z',
    }),
    invoice('2026-10-05T09:00:00.000Z', 'r2', 'R', '2026-10-05T09:00:00.000Z', {
      recurring: '100',
      nonRecurring: '40',
    }),
    invoice('2026-10-10T09:00:00.000Z', 'm1', 'M', '2026-10-10T09:00:00.000Z', {
      nonRecurring: '25',
      paidAt: '2026-10-12T09:00:00.000Z',
    }),
    // m2 paid: a later state of the same invoice (the latest ts wins).
    invoice('2026-10-15T09:00:00.000Z', 'm2', 'M', '2026-08-20T09:00:00.000Z', {
      recurring: '30',
      paidAt: '2026-10-15T09:00:00.000Z',
    }),
    invoice('2026-10-18T09:00:00.000Z', 'l2', 'L', '2026-10-18T09:00:00.000Z', {
      recurring: '50',
      nonRecurring: '10',
      paidAt: '2026-10-25T09:00:00.000Z',
    }),
    invoice('2026-10-25T09:00:00.000Z', 'l3', 'L', '2026-10-25T09:00:00.000Z', {
      recurring: '50',
    }),
  ];
}

/**
 * One user u1 of account A (UTC, 30-minute timeout), in this arrival order: 08-10 10:00 and 10:20
 * (module M, the second with feature f × 1): the user's newest day is 08-10, so it holds 08-10
 * and 08-09; then 08-09 09:00 and 09:15 (held: a 15-minute session); then 08-08 12:00 (feature
 * f × 2): before the oldest held day, so late — activity, no time, no session — and the same
 * late event once more (a retry: the sessionizer remembers late ids, so it is dropped).
 */
function lateEvents(): CanonicalJson[] {
  const m = { product: 'app', module: 'M' };
  const late = usage(LATE, '2026-08-08T12:00:00.000Z', 'A', 'u1', {
    ...m,
    feature: 'f',
    count: 2,
  });
  return [
    usage(LATE, '2026-08-10T10:00:00.000Z', 'A', 'u1', m),
    usage(LATE, '2026-08-10T10:20:00.000Z', 'A', 'u1', { ...m, feature: 'f' }),
    usage(LATE, '2026-08-09T09:00:00.000Z', 'A', 'u1', m),
    usage(LATE, '2026-08-09T09:15:00.000Z', 'A', 'u1', m),
    late,
    { ...late },
  ];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cs-e2e-revenue-late-'));
  pipeline = await startPipeline({ tenants: [{ id: REVENUE }, { id: LATE }] });
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, toNdjson([...revenueEvents(), ...lateEvents()]));
  let output = '';
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await ingestCommand.run([file, '--wait', '--wait-timeout=150s', '--quiet'], {
    stdout: out,
    stderr: out,
    stdin: new PassThrough(),
    env: pipeline.env,
  });
  expect(code, output).toBe(0);
}, 400_000);

afterAll(async () => {
  await pipeline.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const FIGURES = [
  'mrr',
  'lifetime_revenue',
  'recurring_invoice_revenue',
  'non_recurring_invoice_revenue',
  'invoice_revenue',
  'cashflow',
] as const;

async function financials(asOf: string): Promise<Record<string, Record<string, number>>> {
  const rows = await pipeline.rows<Record<string, unknown>>(
    `SELECT * FROM {db}.account_financials(tenant = {t:String}, as_of = {as_of:Date})`,
    { t: REVENUE, as_of: asOf },
  );
  return Object.fromEntries(
    rows.map((row) => [
      String(row.account_id),
      Object.fromEntries(
        FIGURES.flatMap((figure) => [
          [figure, n(row[figure])],
          [`${figure}_rollup`, n(row[`${figure}_rollup`])],
        ]),
      ),
    ]),
  );
}

/** Own figures, then rolled-up ones, in the order of FIGURES. */
const figures = (own: number[], rollup: number[]): Record<string, number> =>
  Object.fromEntries(
    FIGURES.flatMap((figure, i) => [
      [figure, own[i] ?? Number.NaN],
      [`${figure}_rollup`, rollup[i] ?? Number.NaN],
    ]),
  );

describe('invoice revenue, lifetime revenue and cashflow (cs.account_financials)', () => {
  it('as of 10-20: paid and unpaid, issued before and in the month, own and rolled up R ← M ← L', async () => {
    // Columns: MRR, lifetime, recurring (Oct 1–20), non-recurring (Oct 1–20), invoice revenue,
    // cashflow (paid Oct 1–20).
    // L: lifetime l1 50 + l2 60 = 110 (l3 is issued after as_of); Oct: recurring 50 + 50,
    //    non-recurring 10, revenue 110; cashflow l1 50 (l2 is paid 10-25, after as_of).
    // M: lifetime m1 25 + m2 30 = 55; Oct: recurring 0 (m2 was issued in August),
    //    non-recurring 25; cashflow m1 25 + m2 30 (its later record says paid 10-15) = 55.
    // R: lifetime r1 100 + r2 140 = 240; Oct: recurring 100, non-recurring 40 (r2, unpaid:
    //    revenue but no cash); cashflow r1 100 (a September invoice paid 10-02).
    // Roll-ups: M + L and R + M + L.
    expect(await financials('2026-10-20')).toEqual({
      L: figures([50, 110, 100, 10, 110, 50], [50, 110, 100, 10, 110, 50]),
      M: figures([0, 55, 0, 25, 25, 55], [50, 165, 100, 35, 135, 105]),
      R: figures([100, 240, 100, 40, 140, 100], [150, 405, 200, 75, 275, 205]),
    });
  });

  it('as of 10-31: the invoice issued and the one paid after 10-20 now count', async () => {
    // L gains l3 (issued 10-25, unpaid: lifetime and revenue 50, no cash) and l2's cash (60).
    // L: lifetime 160, recurring 150, non-recurring 10, revenue 160, cashflow 50 + 60 = 110.
    expect(await financials('2026-10-31')).toEqual({
      L: figures([50, 160, 150, 10, 160, 110], [50, 160, 150, 10, 160, 110]),
      M: figures([0, 55, 0, 25, 25, 55], [50, 215, 150, 35, 185, 165]),
      R: figures([100, 240, 100, 40, 140, 100], [150, 455, 250, 75, 325, 265]),
    });
  });

  it('as of 11-05: a month with no invoice issued or paid keeps the lifetime revenue only', async () => {
    const rows = await financials('2026-11-05');
    expect(rows.R).toEqual(figures([100, 240, 0, 0, 0, 0], [150, 455, 0, 0, 0, 0]));
  });
});

describe('a late event through the whole pipeline', () => {
  it('counts for daily activity but gets no session and no time', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT day, active_users, active_accounts, events, sessions, time_ms FROM {db}.daily_activity
       WHERE tenant = {t:String} ORDER BY day`,
      { t: LATE },
    );
    // 08-08: the late event (its retry dropped): 1 user, 1 event, no session, 0 ms.
    // 08-09: 09:00 → 09:15 = 15 min; 08-10: 10:00 → 10:20 = 20 min.
    expect(
      rows.map((r) => [
        r.day,
        n(r.active_users),
        n(r.active_accounts),
        n(r.events),
        n(r.sessions),
        n(r.time_ms),
      ]),
    ).toEqual([
      ['2026-08-08', 1, 1, 1, 0, 0],
      ['2026-08-09', 1, 1, 2, 1, 15 * MIN],
      ['2026-08-10', 1, 1, 2, 1, 20 * MIN],
    ]);
    const sessions = await pipeline.rows<Record<string, unknown>>(
      `SELECT day, duration_ms, events FROM {db}.sessions WHERE tenant = {t:String} ORDER BY day`,
      { t: LATE },
    );
    expect(sessions.map((s) => [s.day, n(s.duration_ms), n(s.events)])).toEqual([
      ['2026-08-09', 15 * MIN, 2],
      ['2026-08-10', 20 * MIN, 2],
    ]);
  });

  it('counts in MAU and in module and feature use (days used, counts), not in time', async () => {
    const [mau] = await pipeline.rows<Record<string, unknown>>(
      `SELECT active_users, time_ms FROM {db}.monthly_activity WHERE tenant = {t:String} AND day = '2026-08-08'`,
      { t: LATE },
    );
    expect([n(mau?.active_users), n(mau?.time_ms)]).toEqual([1, 0]);
    const window = { t: LATE, from: '2026-08-08', to: '2026-08-10' };
    const [module] = await pipeline.rows<Record<string, unknown>>(
      `SELECT * FROM {db}.module_usage(tenant = {t:String}, date_from = {from:Date}, date_to = {to:Date})`,
      window,
    );
    // Days used 08-08, 08-09, 08-10 (3 user-days of u1); time 15 + 20 = 35 min; 35 ÷ 3 min.
    expect([
      n(module?.total_days_used),
      n(module?.users),
      n(module?.total_time_ms),
      n(module?.time_per_user_per_day_used_ms),
    ]).toEqual([3, 1, 35 * MIN, (35 * MIN) / 3]);
    const [feature] = await pipeline.rows<Record<string, unknown>>(
      `SELECT * FROM {db}.feature_usage(tenant = {t:String}, date_from = {from:Date}, date_to = {to:Date})`,
      window,
    );
    // f: 1 on 08-10 + 2 on 08-08 (late, counted once) = 3 over 2 user-days = 1.5.
    expect([
      feature?.feature,
      n(feature?.total_count),
      n(feature?.total_days_used),
      n(feature?.count_per_user_per_day_used),
    ]).toEqual(['f', 3, 2, 1.5]);
  });

  it('is counted once in the queryable late-events warning (cs.late_events)', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT day, late_events FROM {db}.late_events WHERE tenant = {t:String} ORDER BY day`,
      { t: LATE },
    );
    expect(rows.map((r) => [r.day, n(r.late_events)])).toEqual([['2026-08-08', 1]]);
  });
});
