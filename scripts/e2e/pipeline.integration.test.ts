// End to end: hand-made NDJSON through the real pipeline — the HTTP gateway and `cs ingest`
// (in-process) → Kafka → sessionizer, enricher, billing (child processes) → sink → ClickHouse —
// then the cs.* views against figures worked out by hand in the comments.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCommand } from '@cs/cli';
import { startPipeline, type Pipeline } from '../testing/pipeline.js';
import {
  GATEWAY_KEY,
  T,
  cycleEvent,
  firstLoad,
  sessionEvents,
  toNdjson,
  type CanonicalJson,
} from './scenarios.js';

const MIN = 60_000;
let pipeline: Pipeline;
let dir: string;

async function ingest(name: string, events: readonly CanonicalJson[]): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, toNdjson(events));
  let output = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await ingestCommand.run([file, '--wait', '--wait-timeout=150s', '--quiet'], {
    stdout: sink,
    stderr: sink,
    stdin: new PassThrough(),
    env: pipeline.env,
  });
  expect(code, output).toBe(0);
  return output;
}

const n = (value: unknown): number => Number(value);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cs-e2e-'));
  pipeline = await startPipeline({
    gateway: true,
    tenants: Object.values(T).map((id) => ({
      id,
      ...(id === T.sessions ? { apiKeys: [GATEWAY_KEY] } : {}),
    })),
  });
  // a. through the gateway first: its dates are the oldest (see scenarios.ts on event time).
  const response = await fetch(`${String(pipeline.gatewayUrl)}/v1/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${GATEWAY_KEY}`, 'Content-Type': 'application/x-ndjson' },
    body: toNdjson(sessionEvents().map(({ tenant: _tenant, ...event }) => event)),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ accepted: 8, refused: [] });
  const first = await ingest('first.ndjson', firstLoad());
  expect(first).toMatch(/accepted: {2}\d+[\s\S]*queryable: after/);
  // The cycle link goes after everything else is processed, so the links it could race are in.
  await ingest('cycle.ndjson', [cycleEvent()]);
}, 400_000);

afterAll(async () => {
  await pipeline.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('a. sessions (events sent through the gateway)', () => {
  it('splits 09:00 Reports, 09:10 Billing, 09:25 Billing, 10:30 Reports into 25 min and 0 min', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT user_id, day, duration_ms, events, module_time_ms FROM {db}.sessions
       WHERE tenant = {t:String} AND user_id = 'u1' ORDER BY started_at`,
      { t: T.sessions },
    );
    // 09:00 → 09:25 (gaps 10 and 15 min ≤ 30): 25 min; Reports owns 09:00–09:10, Billing
    // 09:10–09:25. 10:30 is 65 min later: a session of its own, 0 min.
    expect(
      rows.map((r) => ({
        day: r.day,
        duration: n(r.duration_ms),
        events: n(r.events),
        modules: Object.fromEntries(
          Object.entries(r.module_time_ms as Record<string, unknown>)
            .filter(([, ms]) => n(ms) > 0)
            .map(([module, ms]) => [module, n(ms)]),
        ),
      })),
    ).toEqual([
      {
        day: '2026-01-05',
        duration: 25 * MIN,
        events: 3,
        modules: { Reports: 10 * MIN, Billing: 15 * MIN },
      },
      { day: '2026-01-05', duration: 0, events: 1, modules: {} },
    ]);
  });

  it('cuts 23:30, 23:50, 00:05, 00:10 at midnight: 20 min on one day, 5 on the next', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT day, sessions, events, time_ms, active_users FROM {db}.daily_activity
       WHERE tenant = {t:String} ORDER BY day`,
      { t: T.sessions },
    );
    expect(
      rows.map((r) => [r.day, n(r.sessions), n(r.events), n(r.time_ms), n(r.active_users)]),
    ).toEqual([
      ['2026-01-05', 2, 4, 25 * MIN, 1],
      ['2026-01-06', 1, 2, 20 * MIN, 1],
      ['2026-01-07', 1, 2, 5 * MIN, 1],
    ]);
  });
});

describe('b. DAU and MAU', () => {
  it('counts a user active on d−29 in MAU(d) and not one active only on d−30', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT day, active_users, active_accounts FROM {db}.monthly_activity
       WHERE tenant = {t:String} AND day IN ('2026-03-02', '2026-03-31') ORDER BY day`,
      { t: T.mau },
    );
    // MAU(03-02) = ua, ub; MAU(03-31) over 03-02 … 03-31 = ub, uc (each in its own account).
    expect(rows.map((r) => [r.day, n(r.active_users), n(r.active_accounts)])).toEqual([
      ['2026-03-02', 2, 2],
      ['2026-03-31', 2, 2],
    ]);
    const [daily] = await pipeline.rows<Record<string, unknown>>(
      `SELECT active_users FROM {db}.daily_activity WHERE tenant = {t:String} AND day = '2026-03-31'`,
      { t: T.mau },
    );
    expect(n(daily?.active_users)).toBe(1);
  });
});

describe('c. module and feature usage', () => {
  const window = { t: T.usage, from: '2026-04-01', to: '2026-04-30' };

  it('gives 60 min over 3 user-days = 20 min per user per day used; 2 users, 1 non-user', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT * FROM {db}.module_usage(tenant = {t:String}, date_from = {from:Date}, date_to = {to:Date})`,
      window,
    );
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? {};
    expect(row).toMatchObject({ account_id: 'acc-u', product: 'app', module: 'reports' });
    expect(n(row.total_time_ms)).toBe(60 * MIN); // 10 + 20 + 30
    expect(n(row.total_days_used)).toBe(2);
    expect(n(row.users)).toBe(2); // ux, uy
    expect(n(row.non_users)).toBe(1); // uz (known from its user record)
    expect(n(row.time_per_user_per_day_used_ms)).toBe(20 * MIN); // 60 ÷ (ux d1, uy d1, ux d2)
    expect(String(row.last_used)).toMatch(/^2026-04-02 09:30:00/);
  });

  it('sums feature counts 3 + 2 + 1 = 6 over 3 user-days = 2 per user per day used', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT * FROM {db}.feature_usage(tenant = {t:String}, date_from = {from:Date}, date_to = {to:Date})`,
      window,
    );
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? {};
    expect(row).toMatchObject({ account_id: 'acc-u', module: 'reports', feature: 'export' });
    expect(n(row.total_count)).toBe(6);
    expect(n(row.total_days_used)).toBe(2);
    expect([n(row.users), n(row.non_users)]).toEqual([2, 1]);
    expect(n(row.count_per_user_per_day_used)).toBe(2);
    expect(String(row.last_used)).toMatch(/^2026-04-02 09:00:00/);
  });
});

const month = async (tenant: string, first: string) =>
  (
    await pipeline.rows<Record<string, string | number | null>>(
      `SELECT * FROM {db}.mrr_monthly WHERE tenant = {t:String} AND month = {m:Date}`,
      { t: tenant, m: first },
    )
  )[0];

describe('d. revenue', () => {
  it('shows an annual plan of 2,000 as an MRR of 166.67', async () => {
    const row = await month(T.annual, '2026-05-01');
    // 2000 ÷ 12 = 166.666…, kept at 6 decimal places.
    expect(row?.mrr).toBe('166.666667');
    expect(Number(row?.mrr).toFixed(2)).toBe('166.67');
  });

  it('gives ARPA 3 for customers paying 1, 1, 3, 5 and 5', async () => {
    const row = await month(T.arpa, '2026-05-01');
    expect([n(row?.mrr), n(row?.active_accounts), n(row?.arpa)]).toEqual([15, 5, 3]);
    expect([row?.churn_rate, row?.clv]).toEqual([null, null]); // nobody paid at the start of May
  });

  it('has CLV null when the churn rate is 0', async () => {
    const row = await month(T.churn, '2026-05-01');
    // k4 paid at the start of May and stayed; k0 … k3 are new: 5 × 10.
    expect([n(row?.mrr), n(row?.accounts_at_start), n(row?.churned_accounts)]).toEqual([50, 1, 0]);
    expect([n(row?.churn_rate), row?.clv, n(row?.new_mrr)]).toEqual([0, null, 40]);
  });

  it('counts a churn then a reactivation within one month', async () => {
    const row = await month(T.churn, '2026-06-01');
    // 5 paying at the start of June; k0 cancels (churn 10) and comes back (reactivation 10).
    expect({
      mrr: n(row?.mrr),
      atStart: n(row?.accounts_at_start),
      churned: n(row?.churned_accounts),
      churnMrr: n(row?.churn_mrr),
      reactivation: n(row?.reactivation_mrr),
      arpa: n(row?.arpa),
    }).toEqual({ mrr: 50, atStart: 5, churned: 1, churnMrr: 10, reactivation: 10, arpa: 10 });
    expect(n(row?.churn_rate)).toBeCloseTo(0.2, 10); // 1 ÷ 5
    expect(n(row?.clv)).toBeCloseTo(50, 6); // ARPA 10 ÷ 0.2
  });
});

describe('e. hierarchy and tickets', () => {
  it('rolls activity up P ← C ← G, refusing the cycle P → G', async () => {
    const rollup = await pipeline.rows<Record<string, unknown>>(
      `SELECT account_id, active_users, events, time_ms FROM {db}.account_daily_activity_rollup
       WHERE tenant = {t:String} AND day = '2026-07-01' ORDER BY account_id`,
      { t: T.hierarchy },
    );
    // Own time: P 10 min, C 20, G 5; each 1 user, 2 events.
    expect(rollup.map((r) => [r.account_id, n(r.active_users), n(r.events), n(r.time_ms)])).toEqual(
      [
        ['C', 2, 4, 25 * MIN],
        ['G', 1, 2, 5 * MIN],
        ['P', 3, 6, 35 * MIN],
      ],
    );
    const accounts = await pipeline.rows<Record<string, unknown>>(
      `SELECT account_id, parent_id FROM {db}.accounts WHERE tenant = {t:String} ORDER BY account_id`,
      { t: T.hierarchy },
    );
    expect(accounts.map((r) => [r.account_id, r.parent_id ?? ''])).toEqual([
      ['C', 'P'],
      ['G', 'C'],
      ['P', ''],
    ]);
    const refused = await pipeline.rows<Record<string, unknown>>(
      `SELECT reason FROM {db}.dead_letters WHERE tenant = {t:String}`,
      { t: T.hierarchy },
    );
    expect(refused).toHaveLength(1);
    expect(String(refused[0]?.reason)).toMatch(/cycle/);
  });

  it('ages tickets of C without rolling them up to P', async () => {
    const rows = await pipeline.rows<Record<string, unknown>>(
      `SELECT account_id, tickets, open_tickets, avg_age_days
       FROM {db}.ticket_age(tenant = {t:String}, as_of = {as_of:Date})`,
      { t: T.hierarchy, as_of: '2026-07-10' },
    );
    // k1: 07-02 → closed 07-05 = 3 days; k2: 07-03 → open at 07-10 = 7 days; (3 + 7) ÷ 2 = 5.
    expect(
      rows.map((r) => [r.account_id, n(r.tickets), n(r.open_tickets), n(r.avg_age_days)]),
    ).toEqual([['C', 2, 1, 5]]);
  });
});

describe('f. arrival order and duplicates', () => {
  const figures = async (tenant: string) => ({
    sessions: await pipeline.rows(
      `SELECT user_id, started_at, duration_ms, events, module_time_ms FROM {db}.sessions
       WHERE tenant = {t:String} ORDER BY user_id, started_at`,
      { t: tenant },
    ),
    daily: await pipeline.rows(
      `SELECT * EXCEPT tenant FROM {db}.daily_activity WHERE tenant = {t:String} ORDER BY day`,
      { t: tenant },
    ),
    features: await pipeline.rows(
      `SELECT * FROM {db}.feature_usage(tenant = {t:String}, date_from = '2026-09-01', date_to = '2026-09-01')`,
      { t: tenant },
    ),
  });

  it('gives the same figures reversed and with duplicates as in order', async () => {
    const inOrder = await figures(T.inOrder);
    // v1: 08:00 → 08:40 (gaps 10, 30 ≤ 30) = 40 min, then 09:20 alone; v2: 08:05 → 08:20 = 15 min.
    expect(inOrder.daily).toHaveLength(1);
    const day = inOrder.daily[0] as Record<string, unknown>;
    expect([n(day.sessions), n(day.events), n(day.time_ms)]).toEqual([3, 6, 55 * MIN]);
    expect(await figures(T.disorder)).toEqual(inOrder);
  });
});

describe('cs ingest --wait', () => {
  it('exits 1 at --wait-timeout naming a group that does not consume', async () => {
    const file = join(dir, 'orphan.ndjson');
    writeFileSync(
      file,
      toNdjson([cycleEvent()].map((event) => ({ ...event, tenant: 'e2e-orphan' }))),
    );
    let stderr = '';
    const err = new PassThrough();
    err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await ingestCommand.run([file, '--wait', '--wait-timeout=3s'], {
      stdout: new PassThrough(),
      stderr: err,
      stdin: new PassThrough(),
      env: { ...pipeline.env, CS_PIPELINE_GROUPS: `${pipeline.groups[0] ?? ''},nobody-reads-this` },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/waiting for the pipeline: total lag \d+/);
    expect(stderr).toMatch(
      /did not catch up within 3 s: nobody-reads-this: no running member and no committed offsets/,
    );
  });
});
