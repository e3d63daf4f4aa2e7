import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices } from '@cs/infra/testing';
import { DLQ_HEADERS } from '@cs/runtime';
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
import {
  prepareSinkRun,
  silentLogger,
  warehouseQueries,
  type SinkRun,
} from './sink-harness.test-support.js';
import { startSink, type Sink } from './sink.js';

// A small hand-made scenario through real Kafka, the real registry and the real ClickHouse engine:
// derived records → sink → cs.* views, checked against figures computed by hand below.
const url = testServices().clickhouseUrl;
let run: SinkRun;
let wh: ReturnType<typeof warehouseQueries>;
let sink: Sink;

const D1 = '2026-07-01';
const D2 = '2026-07-02';
const MIN = 60_000;

async function produceScenario(): Promise<void> {
  // Users u1, u2 in a1; u3 in a2; a1 and a2 under root r.
  await run.produce('account-state', 'acme/r', [account({ accountId: 'r', name: 'Root' })]);
  await run.produce('account-state', 'acme/a1', [
    account({ accountId: 'a1', name: 'A1', parentId: 'r' }),
  ]);
  await run.produce('account-state', 'acme/a2', [
    account({ accountId: 'a2', name: 'A2', parentId: 'r' }),
  ]);
  await run.produce('hierarchy-edge', 'acme/a1', [edge('a1', 'r')]);
  await run.produce('hierarchy-edge', 'acme/a2', [edge('a2', 'r')]);
  await run.produce('user-state', 'acme/a1', [
    user({ userId: 'u1' }),
    user({ userId: 'u2', role: 'admin' }),
  ]);
  await run.produce('user-state', 'acme/a2', [user({ userId: 'u3', accountId: 'a2' })]);

  // Usage on D1: u1 3 events (10:00, 10:10, 10:20), u2 1 event, u3 2 events (09:00, 09:05); u1 1 on D2.
  await run.produce('enriched-usage', 'acme/u1', [
    usage({
      eventId: 'e1',
      ts: at(D1, '10:00:00'),
      module: 'reports',
      feature: 'export',
      count: 2,
      accountPath: ['r', 'a1'],
    }),
    usage({ eventId: 'e2', ts: at(D1, '10:10:00'), module: 'reports', accountPath: ['r', 'a1'] }),
    usage({ eventId: 'e3', ts: at(D1, '10:20:00'), module: 'dash', accountPath: ['r', 'a1'] }),
    usage({ eventId: 'e7', ts: at(D2, '08:00:00'), day: epochDay(D2), accountPath: ['r', 'a1'] }),
  ]);
  await run.produce('enriched-usage', 'acme/u2', [
    usage({ eventId: 'e4', userId: 'u2', ts: at(D1, '11:00:00') }),
  ]);
  await run.produce('enriched-usage', 'acme/u3', [
    usage({
      eventId: 'e5',
      userId: 'u3',
      accountId: 'a2',
      ts: at(D1, '09:00:00'),
      accountPath: ['r', 'a2'],
    }),
    usage({
      eventId: 'e6',
      userId: 'u3',
      accountId: 'a2',
      ts: at(D1, '09:05:00'),
      accountPath: ['r', 'a2'],
    }),
  ]);

  // u1's session first emitted for two events, then corrected (−1 / +1) when the third arrived.
  const s1Early = session({
    sessionId: 's1',
    startedAt: at(D1, '10:00:00'),
    endedAt: at(D1, '10:10:00'),
    durationMs: 10 * MIN,
    events: 2,
    moduleTimeMs: { reports: 10 * MIN },
  });
  const s1 = session({
    sessionId: 's1',
    startedAt: at(D1, '10:00:00'),
    endedAt: at(D1, '10:20:00'),
    durationMs: 20 * MIN,
    events: 3,
    moduleTimeMs: { reports: 20 * MIN },
  });
  await run.produce('session', 'acme/u1', [
    s1Early,
    { ...s1Early, sign: -1 },
    s1,
    session({
      sessionId: 's4',
      day: epochDay(D2),
      startedAt: at(D2, '08:00:00'),
      endedAt: at(D2, '08:00:00'),
    }),
  ]);
  await run.produce('session', 'acme/u2', [
    session({
      sessionId: 's2',
      userId: 'u2',
      startedAt: at(D1, '11:00:00'),
      endedAt: at(D1, '11:00:00'),
    }),
  ]);
  await run.produce('session', 'acme/u3', [
    session({
      sessionId: 's3',
      userId: 'u3',
      accountId: 'a2',
      startedAt: at(D1, '09:00:00'),
      endedAt: at(D1, '09:05:00'),
      durationMs: 5 * MIN,
      events: 2,
      moduleTimeMs: { '': 5 * MIN },
    }),
  ]);
  await run.produce('time-slice', 'acme/u1', [
    slice({ module: 'reports', ms: 10 * MIN }),
    slice({ module: 'reports', ms: 10 * MIN, sign: -1 }),
    slice({ module: 'reports', ms: 20 * MIN }),
  ]);
  await run.produce('time-slice', 'acme/u3', [
    slice({ userId: 'u3', accountId: 'a2', ms: 5 * MIN }),
  ]);

  // MRR: a1 new 100 (May 10), expansion to 150 (June 5); a2 new 50 (May 20), churn (June 15).
  await run.produce('mrr-movement', 'acme/a1', [
    movement({ accountId: 'a1', kind: 'new', mrrBefore: '0', mrrAfter: '100', delta: '100' }),
    movement({
      accountId: 'a1',
      kind: 'expansion',
      mrrBefore: '100',
      mrrAfter: '150',
      delta: '50',
      at: at('2026-06-05'),
      day: epochDay('2026-06-05'),
    }),
  ]);
  // Billing emitted a contraction of a1 on June 20 (150 → 120) and then retracted it (sign −1,
  // migration 0007): it must leave no trace in the figures.
  const june20 = { at: at('2026-06-20'), day: epochDay('2026-06-20') };
  const contraction = movement({
    ...june20,
    accountId: 'a1',
    kind: 'contraction',
    mrrBefore: '150',
    mrrAfter: '120',
    delta: '-30',
  });
  await run.produce('mrr-movement', 'acme/a1', [contraction, { ...contraction, sign: -1 }]);
  const lowered = accountMrr({ ...june20, accountId: 'a1', mrr: '120', seq: 2 });
  await run.produce('account-mrr', 'acme/a1', [lowered, { ...lowered, sign: -1 }]);
  await run.produce('mrr-movement', 'acme/a2', [
    movement({
      accountId: 'a2',
      kind: 'new',
      mrrBefore: '0',
      mrrAfter: '50',
      delta: '50',
      at: at('2026-05-20'),
      day: epochDay('2026-05-20'),
    }),
    movement({
      accountId: 'a2',
      kind: 'churn',
      mrrBefore: '50',
      mrrAfter: '0',
      delta: '-50',
      at: at('2026-06-15'),
      day: epochDay('2026-06-15'),
    }),
  ]);
  await run.produce('account-mrr', 'acme/a1', [
    accountMrr({ accountId: 'a1', mrr: '100', seq: 0 }),
    accountMrr({
      accountId: 'a1',
      mrr: '150',
      seq: 1,
      at: at('2026-06-05'),
      day: epochDay('2026-06-05'),
    }),
  ]);
  await run.produce('account-mrr', 'acme/a2', [
    accountMrr({
      accountId: 'a2',
      mrr: '50',
      seq: 0,
      at: at('2026-05-20'),
      day: epochDay('2026-05-20'),
    }),
    accountMrr({
      accountId: 'a2',
      mrr: '0',
      seq: 1,
      at: at('2026-06-15'),
      day: epochDay('2026-06-15'),
    }),
  ]);

  // Invoice i1 (a1): issued D1 unpaid, then paid on July 3 (a later state of the same invoice).
  await run.produce('invoice-state', 'acme/a1', [
    invoice({ invoiceId: 'i1', recurringAmount: '100', nonRecurringAmount: '20.5' }),
    invoice({
      invoiceId: 'i1',
      recurringAmount: '100',
      nonRecurringAmount: '20.5',
      paidAt: at('2026-07-03'),
      paidDay: epochDay('2026-07-03'),
      ts: at('2026-07-03'),
    }),
  ]);
  await run.produce('ticket-state', 'acme/a2', [
    ticket({
      ticketId: 't1',
      accountId: 'a2',
      createdAt: at('2026-06-28'),
      createdDay: epochDay('2026-06-28'),
    }),
  ]);

  // A late event of June 28 (beyond u1's held horizon) and its retry by the sessionizer.
  const lateE0 = late({ eventId: 'e0', ts: at('2026-06-28', '09:00:00') });
  await run.produce('late-event', 'acme/u1', [lateE0, lateE0]);

  // One dead letter from a processor, and one derived record the sink itself cannot decode.
  await run.produceRaw(run.catalog.deadLetter.name, [
    {
      key: 'acme/u9',
      value: Buffer.from([0, 0, 0, 0, 1, 2, 3]),
      headers: {
        [DLQ_HEADERS.reason]: 'unknown account',
        [DLQ_HEADERS.step]: 'enrich',
        [DLQ_HEADERS.topic]: 'cs.raw.usage',
        [DLQ_HEADERS.partition]: '1',
        [DLQ_HEADERS.offset]: '17',
        [DLQ_HEADERS.time]: '2026-07-01T12:00:00.000Z',
      },
    },
  ]);
  await run.produceRaw(run.catalog.derived.session.name, [
    { key: 'acme/u1', value: Buffer.from('not avro') },
  ]);
}

beforeAll(async () => {
  run = await prepareSinkRun(url, 'sink_views');
  wh = warehouseQueries(url, run);
  sink = await startSink({ config: run.config(), catalog: run.catalog, logger: silentLogger });
  await produceScenario();
  await run.waitCommitted();
});

afterAll(async () => {
  await (sink as Sink | undefined)?.stop();
  await (run as SinkRun | undefined)?.close();
  await (wh as typeof wh | undefined)?.drop();
});

describe('sink → cs.* views (hand-computed)', () => {
  it('daily activity: users, accounts, sessions net of the correction, time', async () => {
    const rows = await wh.rows(
      `SELECT toString(day) AS day, active_users, active_accounts, sessions, events, time_ms,
              time_per_active_user_ms, time_per_active_account_ms
       FROM {db}.daily_activity WHERE tenant = 'acme' ORDER BY day`,
    );
    expect(rows).toEqual([
      // 3 users (u1, u2, u3), 2 accounts; sessions s1 (+1 −1 +1), s2, s3; 20 + 5 minutes.
      {
        day: D1,
        active_users: 3,
        active_accounts: 2,
        sessions: 3,
        events: 6,
        time_ms: 25 * MIN,
        time_per_active_user_ms: 500_000,
        time_per_active_account_ms: 750_000,
      },
      {
        day: D2,
        active_users: 1,
        active_accounts: 1,
        sessions: 1,
        events: 1,
        time_ms: 0,
        time_per_active_user_ms: 0,
        time_per_active_account_ms: 0,
      },
    ]);
  });

  it('sessions netted: s1 appears once with its corrected duration', async () => {
    const rows = await wh.rows(
      `SELECT session_id, duration_ms, events FROM {db}.sessions WHERE tenant = 'acme' ORDER BY session_id`,
    );
    expect(rows).toEqual([
      { session_id: 's1', duration_ms: 20 * MIN, events: 3 },
      { session_id: 's2', duration_ms: 0, events: 1 },
      { session_id: 's3', duration_ms: 5 * MIN, events: 2 },
      { session_id: 's4', duration_ms: 0, events: 1 },
    ]);
  });

  it('roll-up over the hierarchy: r covers a1 and a2', async () => {
    const rows = await wh.rows(
      `SELECT active_users, events, time_ms FROM {db}.account_daily_activity_rollup
       WHERE tenant = 'acme' AND account_id = 'r' AND day = {day:Date}`,
      { day: D1 },
    );
    expect(rows).toEqual([{ active_users: 3, events: 6, time_ms: 25 * MIN }]);
  });

  it('accounts and users from the entity states', async () => {
    const accounts = await wh.rows(
      `SELECT account_id, name, parent_id, product_users FROM {db}.accounts WHERE tenant = 'acme' ORDER BY account_id`,
    );
    expect(accounts).toEqual([
      { account_id: 'a1', name: 'A1', parent_id: 'r', product_users: 2 },
      { account_id: 'a2', name: 'A2', parent_id: 'r', product_users: 1 },
      { account_id: 'r', name: 'Root', parent_id: null, product_users: 0 },
    ]);
    const users = await wh.rows(
      `SELECT user_id, account_id, role FROM {db}.users WHERE tenant = 'acme' ORDER BY user_id`,
    );
    expect(users).toEqual([
      { user_id: 'u1', account_id: 'a1', role: '' },
      { user_id: 'u2', account_id: 'a1', role: 'admin' },
      { user_id: 'u3', account_id: 'a2', role: '' },
    ]);
  });

  it('mrr_monthly: May 150 from two new accounts; June 150 after expansion, a churn and a retracted contraction', async () => {
    const rows = await wh.rows(
      `SELECT toString(month) AS month, mrr, active_accounts, arpa, accounts_at_start, churned_accounts,
              churn_rate, new_mrr, expansion_mrr, contraction_mrr, churn_mrr
       FROM {db}.mrr_monthly WHERE tenant = 'acme' AND month <= '2026-06-01' ORDER BY month`,
    );
    expect(rows).toEqual([
      {
        month: '2026-05-01',
        mrr: '150',
        active_accounts: 2,
        arpa: '75',
        accounts_at_start: 0,
        churned_accounts: 0,
        churn_rate: null,
        new_mrr: '150',
        expansion_mrr: '0',
        contraction_mrr: '0',
        churn_mrr: '0',
      },
      {
        month: '2026-06-01',
        mrr: '150',
        active_accounts: 1,
        arpa: '150',
        accounts_at_start: 2,
        churned_accounts: 1,
        churn_rate: 0.5,
        new_mrr: '0',
        expansion_mrr: '50',
        contraction_mrr: '0',
        churn_mrr: '50',
      },
    ]);
  });

  it('account financials use the latest invoice state (paid)', async () => {
    const rows = await wh.rows(
      `SELECT account_id, mrr, lifetime_revenue, cashflow, mrr_rollup
       FROM {db}.account_financials(tenant = 'acme', as_of = '2026-07-31') ORDER BY account_id`,
    );
    expect(rows).toEqual([
      {
        account_id: 'a1',
        mrr: '150',
        lifetime_revenue: '120.5',
        cashflow: '120.5',
        mrr_rollup: '150',
      },
      { account_id: 'a2', mrr: '0', lifetime_revenue: '0', cashflow: '0', mrr_rollup: '0' },
      // r has nothing of its own (the view's LEFT JOIN gives 0), only its subtree's MRR.
      { account_id: 'r', mrr: '0', lifetime_revenue: '0', cashflow: '0', mrr_rollup: '150' },
    ]);
  });

  it('ticket age: one open ticket 3 days old', async () => {
    const rows = await wh.rows(
      `SELECT account_id, tickets, open_tickets, avg_age_days FROM {db}.ticket_age(tenant = 'acme', as_of = '2026-07-01')`,
    );
    expect(rows).toEqual([{ account_id: 'a2', tickets: 1, open_tickets: 1, avg_age_days: 3 }]);
  });

  it('late events: the warning view counts a retried late event once', async () => {
    const stored = await wh.rows(`SELECT count() AS n FROM {facts_db}.late_events`);
    expect(stored).toEqual([{ n: 2 }]);
    const rows = await wh.rows(
      `SELECT tenant, toString(day) AS day, late_events FROM {db}.late_events ORDER BY day`,
    );
    expect(rows).toEqual([{ tenant: 'acme', day: '2026-06-28', late_events: 1 }]);
  });

  it('dead letters: the processor one from its headers, the undecodable one from the sink', async () => {
    const rows = await wh.rows(
      `SELECT tenant, topic, step, reason, payload FROM {facts_db}.dead_letters ORDER BY step`,
    );
    expect(rows).toEqual([
      {
        tenant: 'acme',
        topic: 'cs.raw.usage',
        step: 'enrich',
        reason: 'unknown account',
        payload: `base64:${Buffer.from([0, 0, 0, 0, 1, 2, 3]).toString('base64')}`,
      },
      {
        tenant: 'acme',
        topic: run.catalog.derived.session.name,
        step: 'sink-decode',
        reason: expect.stringContaining('not Confluent wire format') as unknown,
        payload: 'not avro',
      },
    ]);
    const visible = await wh.rows(`SELECT count() AS n FROM {db}.dead_letters`);
    expect(visible).toEqual([{ n: 2 }]);
  });
});
