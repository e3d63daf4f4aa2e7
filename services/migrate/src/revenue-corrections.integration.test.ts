/**
 * Signed MRR rows (0007_mrr_sign.sql): billing's corrections for out-of-order subscription actions
 * (a −1 repeating a row exactly, then the new +1 rows) must leave cs.mrr_monthly and
 * cs.account_financials exactly where an in-order history puts them. The rows below are what
 * @cs/billing emits for each arrival order, written out by hand; figures are computed by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, migratedWarehouse, type MigratedWarehouse } from './warehouse.test-support.js';

let wh: MigratedWarehouse;

type Kind = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation';
type Sign = 1 | -1;

const ts = (day: string) => at(day, '12:00:00');

function change(
  tenant: string,
  account: string,
  day: string,
  seq: number,
  mrr: number,
  sign: Sign,
) {
  return { tenant, account_id: account, at: ts(day), day, mrr, seq, sign };
}

function movement(
  tenant: string,
  account: string,
  day: string,
  kind: Kind,
  before: number,
  after: number,
  sign: Sign,
) {
  return {
    tenant,
    account_id: account,
    at: ts(day),
    day,
    kind,
    mrr_before: before,
    mrr_after: after,
    delta: after - before,
    sign,
  };
}

/** One billing output (a transaction's rows): inserted as one block per table, as the sink does. */
async function emit(
  changes: ReturnType<typeof change>[],
  movements: ReturnType<typeof movement>[],
): Promise<void> {
  if (changes.length > 0) await wh.insert('account_mrr', changes);
  if (movements.length > 0) await wh.insert('mrr_movements', movements);
}

/**
 * Two accounts, actions in effect order:
 *   x: 03-05 start s1 at 100 (new), 04-10 upgrade s1 to 150 (expansion 50), 05-20 cancel (churn 150)
 *   y: 03-01 start s1 at 10 (new), 04-03 start s2 at 20 (expansion 20), 04-05 cancel s1
 *      (contraction 10, MRR 20 stays)
 */
async function inOrder(tenant: string): Promise<void> {
  await emit(
    [change(tenant, 'x', '2026-03-05', 0, 100, 1)],
    [movement(tenant, 'x', '2026-03-05', 'new', 0, 100, 1)],
  );
  await emit(
    [change(tenant, 'x', '2026-04-10', 1, 150, 1)],
    [movement(tenant, 'x', '2026-04-10', 'expansion', 100, 150, 1)],
  );
  await emit(
    [change(tenant, 'x', '2026-05-20', 2, 0, 1)],
    [movement(tenant, 'x', '2026-05-20', 'churn', 150, 0, 1)],
  );
  await emit(
    [change(tenant, 'y', '2026-03-01', 0, 10, 1)],
    [movement(tenant, 'y', '2026-03-01', 'new', 0, 10, 1)],
  );
  await emit(
    [change(tenant, 'y', '2026-04-03', 1, 30, 1)],
    [movement(tenant, 'y', '2026-04-03', 'expansion', 10, 30, 1)],
  );
  await emit(
    [change(tenant, 'y', '2026-04-05', 2, 20, 1)],
    [movement(tenant, 'y', '2026-04-05', 'contraction', 30, 20, 1)],
  );
}

/**
 * The same actions, each account's middle one arriving last (seq = arrival ordinal):
 *   x: start (seq 0), cancel (seq 1) — churn 100 emitted — then the 04-10 upgrade (seq 2): billing
 *      retracts the cancel's row and the churn of 100, and states the upgrade, the cancel at 0
 *      again (same (at, seq, mrr) as the retracted one) and a churn of 150.
 *   y: start s1 (seq 0), cancel s1 (seq 1) — a churn of 10 — then the 04-03 start of s2 (seq 2):
 *      the churn is retracted for good (y never stops paying), replaced by an expansion and a
 *      contraction.
 */
async function corrected(tenant: string): Promise<void> {
  await emit(
    [change(tenant, 'x', '2026-03-05', 0, 100, 1)],
    [movement(tenant, 'x', '2026-03-05', 'new', 0, 100, 1)],
  );
  await emit(
    [change(tenant, 'x', '2026-05-20', 1, 0, 1)],
    [movement(tenant, 'x', '2026-05-20', 'churn', 100, 0, 1)],
  );
  await emit(
    [
      change(tenant, 'x', '2026-05-20', 1, 0, -1),
      change(tenant, 'x', '2026-04-10', 2, 150, 1),
      change(tenant, 'x', '2026-05-20', 1, 0, 1),
    ],
    [
      movement(tenant, 'x', '2026-05-20', 'churn', 100, 0, -1),
      movement(tenant, 'x', '2026-04-10', 'expansion', 100, 150, 1),
      movement(tenant, 'x', '2026-05-20', 'churn', 150, 0, 1),
    ],
  );
  await emit(
    [change(tenant, 'y', '2026-03-01', 0, 10, 1)],
    [movement(tenant, 'y', '2026-03-01', 'new', 0, 10, 1)],
  );
  await emit(
    [change(tenant, 'y', '2026-04-05', 1, 0, 1)],
    [movement(tenant, 'y', '2026-04-05', 'churn', 10, 0, 1)],
  );
  await emit(
    [
      change(tenant, 'y', '2026-04-05', 1, 0, -1),
      change(tenant, 'y', '2026-04-03', 2, 30, 1),
      change(tenant, 'y', '2026-04-05', 1, 20, 1),
    ],
    [
      movement(tenant, 'y', '2026-04-05', 'churn', 10, 0, -1),
      movement(tenant, 'y', '2026-04-03', 'expansion', 10, 30, 1),
      movement(tenant, 'y', '2026-04-05', 'contraction', 30, 20, 1),
    ],
  );
}

const monthly = (tenant: string) =>
  wh.rows(
    `SELECT * EXCEPT tenant FROM {db}.mrr_monthly
     WHERE tenant = {tenant:String} AND month BETWEEN '2026-03-01' AND '2026-05-01'
     ORDER BY month`,
    { tenant },
  );

const financials = (tenant: string, asOf: string) =>
  wh.rows(
    `SELECT account_id, mrr FROM {db}.account_financials(tenant = {tenant:String}, as_of = {as_of:Date})
     ORDER BY account_id`,
    { tenant, as_of: asOf },
  );

beforeAll(async () => {
  wh = await migratedWarehouse();
  await inOrder('ordered');
  await corrected('corrected');
});

afterAll(async () => {
  await wh.drop();
});

describe('signed MRR rows', () => {
  it('give old unsigned rows sign 1', async () => {
    const columns = await wh.rows<{ table: string; default_expression: string }>(
      `SELECT table, default_expression FROM system.columns
       WHERE database = {facts:String} AND name = 'sign' AND table IN ('mrr_movements', 'account_mrr')
       ORDER BY table`,
      { facts: wh.facts },
    );
    expect(columns).toEqual([
      { table: 'account_mrr', default_expression: '1' },
      { table: 'mrr_movements', default_expression: '1' },
    ]);
  });

  it('regression: a retracted and replaced movement changes mrr_monthly exactly as an in-order history', async () => {
    const ordered = await monthly('ordered');
    expect(await monthly('corrected')).toEqual(ordered);
    expect(ordered).toEqual([
      // March: x 100 + y 10; both new.
      {
        month: '2026-03-01',
        mrr: '110',
        active_accounts: 2,
        arpa: '55',
        accounts_at_start: 0,
        churned_accounts: 0,
        churn_rate: null,
        clv: null,
        new_mrr: '110',
        expansion_mrr: '0',
        contraction_mrr: '0',
        churn_mrr: '0',
        reactivation_mrr: '0',
      },
      // April: x 150 + y 20; expansions 50 + 20, y's contraction 10; y's churn of 10 is netted
      // away, so nobody churned (rate 0, CLV null).
      {
        month: '2026-04-01',
        mrr: '170',
        active_accounts: 2,
        arpa: '85',
        accounts_at_start: 2,
        churned_accounts: 0,
        churn_rate: 0,
        clv: null,
        new_mrr: '0',
        expansion_mrr: '70',
        contraction_mrr: '10',
        churn_mrr: '0',
        reactivation_mrr: '0',
      },
      // May: x churns from 150 (not the retracted 100); y 20. Rate 1/2; CLV = 20 × 2 ÷ (1 × 1) = 40.
      {
        month: '2026-05-01',
        mrr: '20',
        active_accounts: 1,
        arpa: '20',
        accounts_at_start: 2,
        churned_accounts: 1,
        churn_rate: 0.5,
        clv: '40',
        new_mrr: '0',
        expansion_mrr: '0',
        contraction_mrr: '0',
        churn_mrr: '150',
        reactivation_mrr: '0',
      },
    ]);
  });

  it('take account MRR from the latest net-positive (at, seq) row in account_financials', async () => {
    // 04-30: x 150 (upgrade), y 20 (the retracted 0 of y's cancel no longer counts).
    const expected = [
      { account_id: 'x', mrr: '150' },
      { account_id: 'y', mrr: '20' },
    ];
    expect(await financials('ordered', '2026-04-30')).toEqual(expected);
    expect(await financials('corrected', '2026-04-30')).toEqual(expected);
    // 05-31: x cancelled.
    expect(await financials('corrected', '2026-05-31')).toEqual([
      { account_id: 'x', mrr: '0' },
      { account_id: 'y', mrr: '20' },
    ]);
  });
});
