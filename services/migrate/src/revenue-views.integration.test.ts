/**
 * cs.mrr_monthly, cs.account_financials, cs.ticket_age, cs.account_daily_activity(_rollup) over a
 * hierarchy, and cs.dead_letters. Money is compared as exact decimal strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountRecord, hierarchyLink, sliceRow, usageRow } from './fact-rows.test-support.js';
import { MINUTE, at, migratedWarehouse, type MigratedWarehouse } from './warehouse.test-support.js';

let wh: MigratedWarehouse;
let seq = 0;

type Kind = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation';

/** What the billing processor emits when an account's MRR changes: the movement and the new MRR. */
function mrrChange(
  tenant: string,
  account: string,
  day: string,
  before: number,
  after: number,
  kind?: Kind,
) {
  seq += 1;
  const ts = at(day, '12:00:00');
  return {
    movement:
      kind === undefined
        ? undefined
        : {
            tenant,
            account_id: account,
            at: ts,
            day,
            kind,
            mrr_before: before,
            mrr_after: after,
            delta: after - before,
          },
    mrr: { tenant, account_id: account, at: ts, day, mrr: after, seq },
  };
}

async function insertChanges(changes: ReturnType<typeof mrrChange>[]): Promise<void> {
  await wh.insert(
    'account_mrr',
    changes.map((c) => c.mrr),
  );
  const movements = changes.flatMap((c) => (c.movement === undefined ? [] : [c.movement]));
  if (movements.length > 0) await wh.insert('mrr_movements', movements);
}

beforeAll(async () => {
  wh = await migratedWarehouse();
});

afterAll(async () => {
  await wh.drop();
});

const monthly = (tenant: string, month: string) =>
  wh.rows(
    `SELECT * EXCEPT (tenant, month) FROM {db}.mrr_monthly WHERE tenant = {tenant:String} AND month = {month:Date}`,
    { tenant, month },
  );

describe('cs.mrr_monthly', () => {
  it('shows an annual plan of 2,000 as 166.67 a month', async () => {
    // 2000 ÷ 12 = 166.6666…, stored by billing at 6 places (half up): 166.666667.
    await insertChanges([mrrChange('annual', 'an1', '2026-03-10', 0, 166.666667, 'new')]);
    const rows = await wh.rows(
      "SELECT mrr, round(mrr, 2) AS shown, new_mrr FROM {db}.mrr_monthly WHERE tenant = 'annual' AND month = '2026-03-01'",
    );
    expect(rows).toEqual([{ mrr: '166.666667', shown: '166.67', new_mrr: '166.666667' }]);
  });

  it('gives ARPA 3 for customers paying 1, 1, 3, 5 and 5', async () => {
    await insertChanges(
      [1, 1, 3, 5, 5].map((amount, i) =>
        mrrChange('arpa', `c${i}`, '2026-05-03', 0, amount, 'new'),
      ),
    );
    const [row] = await monthly('arpa', '2026-05-01');
    // 15 ÷ 5 = 3; no account paid at the start of May: churn rate and CLV are null.
    expect(row).toMatchObject({
      mrr: '15',
      active_accounts: 5,
      arpa: '3',
      accounts_at_start: 0,
      churn_rate: null,
      clv: null,
    });
  });

  describe('churn', () => {
    beforeAll(async () => {
      const ids = Array.from({ length: 100 }, (_, i) => `k${i}`);
      // April: 100 accounts start at 3 each.
      await insertChanges(ids.map((id) => mrrChange('churn', id, '2026-04-02', 0, 3, 'new')));
      // May: k0 … k9 churn.
      await insertChanges(
        ids.slice(0, 10).map((id) => mrrChange('churn', id, '2026-05-15', 3, 0, 'churn')),
      );
      // June: k10 churns and comes back at 4 within the month.
      await insertChanges([
        mrrChange('churn', 'k10', '2026-06-05', 3, 0, 'churn'),
        mrrChange('churn', 'k10', '2026-06-20', 0, 4, 'reactivation'),
      ]);
      // July: k11 expands 3 → 5, k12 contracts 3 → 1, a renewal at the same price moves nothing.
      await insertChanges([
        mrrChange('churn', 'k11', '2026-07-08', 3, 5, 'expansion'),
        mrrChange('churn', 'k12', '2026-07-09', 3, 1, 'contraction'),
        mrrChange('churn', 'k13', '2026-07-10', 3, 3),
      ]);
    });

    it('gives a 10% churn rate when 10 of 100 paying accounts churn, and CLV = ARPA ÷ 0.1', async () => {
      // May: 90 accounts × 3 = 270, ARPA 3; 10 / 100 = 0.1; CLV 3 ÷ 0.1 = 30.
      expect(await monthly('churn', '2026-05-01')).toEqual([
        {
          mrr: '270',
          active_accounts: 90,
          arpa: '3',
          accounts_at_start: 100,
          churned_accounts: 10,
          churn_rate: 0.1,
          clv: '30',
          new_mrr: '0',
          expansion_mrr: '0',
          contraction_mrr: '0',
          churn_mrr: '30',
          reactivation_mrr: '0',
        },
      ]);
    });

    it('counts a churn and a reactivation in the same month', async () => {
      // June: 89 × 3 + 4 = 271 over 90 accounts; 1 of 90 churned; CLV = (271/90) ÷ (1/90) = 271.
      expect(await monthly('churn', '2026-06-01')).toEqual([
        {
          mrr: '271',
          active_accounts: 90,
          arpa: '3.011111',
          accounts_at_start: 90,
          churned_accounts: 1,
          churn_rate: 1 / 90,
          clv: '271',
          new_mrr: '0',
          expansion_mrr: '0',
          contraction_mrr: '0',
          churn_mrr: '3',
          reactivation_mrr: '4',
        },
      ]);
    });

    it('reports expansion and contraction as positive amounts, and CLV null at zero churn', async () => {
      // July: 271 + 2 − 2 = 271; nobody churned: rate 0, CLV null.
      expect(await monthly('churn', '2026-07-01')).toEqual([
        {
          mrr: '271',
          active_accounts: 90,
          arpa: '3.011111',
          accounts_at_start: 90,
          churned_accounts: 0,
          churn_rate: 0,
          clv: null,
          new_mrr: '0',
          expansion_mrr: '2',
          contraction_mrr: '2',
          churn_mrr: '0',
          reactivation_mrr: '0',
        },
      ]);
    });

    it('carries month-end MRR through months without changes', async () => {
      expect(await monthly('churn', '2026-08-01')).toMatchObject([
        { mrr: '271', accounts_at_start: 90 },
      ]);
    });
  });
});

describe('per-account figures over a hierarchy', () => {
  const tenant = 'acme';
  const asOf = '2026-07-20';

  beforeAll(async () => {
    // P ← C1 ← G, P ← C2. G was first linked under C2, then moved under C1.
    await wh.insert('account_hierarchy', [
      hierarchyLink('P', null, '2026-01-01'),
      hierarchyLink('C1', 'P', '2026-01-01'),
      hierarchyLink('C2', 'P', '2026-01-01'),
      hierarchyLink('G', 'C2', '2026-01-01'),
    ]);
    await wh.insert('account_hierarchy', [hierarchyLink('G', 'C1', '2026-02-01')]);
    await wh.insert('accounts', [accountRecord('G', { parent: 'C1' })]);
    // x uses C1 and G on the same day; y uses C2; z uses P.
    const day = '2026-07-01';
    await wh.insert('usage_events', [
      usageRow({ user: 'x', account: 'C1', day }),
      usageRow({ user: 'x', account: 'G', day }),
      usageRow({ user: 'y', account: 'C2', day }),
      usageRow({ user: 'z', account: 'P', day }),
    ]);
    await wh.insert('time_slices', [
      sliceRow({ user: 'x', account: 'C1', day, ms: 10 * MINUTE }),
      sliceRow({ user: 'x', account: 'G', day, ms: 5 * MINUTE }),
      sliceRow({ user: 'y', account: 'C2', day, ms: 20 * MINUTE }),
      sliceRow({ user: 'z', account: 'P', day, ms: 1 * MINUTE }),
    ]);
  });

  it('rolls activity up the current hierarchy, each user once per subtree', async () => {
    const own = await wh.rows(
      "SELECT account_id, active_users, events, time_ms FROM {db}.account_daily_activity WHERE tenant = 'acme' ORDER BY account_id",
    );
    const rolled = await wh.rows(
      "SELECT account_id, active_users, events, time_ms FROM {db}.account_daily_activity_rollup WHERE tenant = 'acme' ORDER BY account_id",
    );
    expect(own).toEqual([
      { account_id: 'C1', active_users: 1, events: 1, time_ms: 10 * MINUTE },
      { account_id: 'C2', active_users: 1, events: 1, time_ms: 20 * MINUTE },
      { account_id: 'G', active_users: 1, events: 1, time_ms: 5 * MINUTE },
      { account_id: 'P', active_users: 1, events: 1, time_ms: 1 * MINUTE },
    ]);
    // P: x, y, z = 3 users (x once although in C1 and G), 4 events, 10 + 5 + 20 + 1 = 36 min.
    // C1: C1 + G; C2: itself only (G moved away).
    expect(rolled).toEqual([
      { account_id: 'C1', active_users: 1, events: 2, time_ms: 15 * MINUTE },
      { account_id: 'C2', active_users: 1, events: 1, time_ms: 20 * MINUTE },
      { account_id: 'G', active_users: 1, events: 1, time_ms: 5 * MINUTE },
      { account_id: 'P', active_users: 3, events: 4, time_ms: 36 * MINUTE },
    ]);
    expect(
      await wh.rows(
        "SELECT parent_id FROM {db}.accounts WHERE tenant = 'acme' AND account_id = 'G'",
      ),
    ).toEqual([{ parent_id: 'C1' }]);
  });

  it('gives MRR, invoice revenue, lifetime revenue and cashflow, own and rolled up', async () => {
    const invoice = (
      id: string,
      account: string,
      issued: string,
      rec: number,
      nonRec: number,
      paid: string | null,
      recordedOn: string,
    ) => {
      seq += 1;
      return {
        tenant,
        invoice_id: id,
        account_id: account,
        issued_at: at(issued),
        issued_day: issued,
        recurring_amount: rec,
        non_recurring_amount: nonRec,
        paid_at: paid === null ? null : at(paid),
        paid_day: paid,
        currency: 'EUR',
        ts: at(recordedOn),
        seq,
      };
    };
    await wh.insert('invoices', [
      invoice('i1', 'P', '2026-06-10', 100, 20, '2026-06-15', '2026-06-15'), // lifetime only
      invoice('i2', 'P', '2026-07-05', 100, 50, null, '2026-07-05'),
      invoice('i3', 'P', '2026-07-12', 80, 0, null, '2026-07-12'), // unpaid as of
      invoice('i4', 'P', '2026-07-25', 999, 0, null, '2026-07-25'), // after as_of
      invoice('i5', 'P', '2026-06-20', 40, 0, '2026-07-02', '2026-07-02'), // June revenue, July cash
      invoice('i6', 'C1', '2026-07-03', 10, 0, '2026-07-04', '2026-07-04'),
    ]);
    // Later states: i2 paid on 07-10; i3 paid only after as_of.
    await wh.insert('invoices', [
      invoice('i2', 'P', '2026-07-05', 100, 50, '2026-07-10', '2026-07-10'),
      invoice('i3', 'P', '2026-07-12', 80, 0, '2026-07-30', '2026-07-30'),
    ]);
    await insertChanges([
      mrrChange(tenant, 'P', '2026-07-01', 0, 50, 'new'),
      mrrChange(tenant, 'P', '2026-07-25', 50, 70, 'expansion'),
      mrrChange(tenant, 'C1', '2026-07-01', 0, 5, 'new'),
    ]);

    const rows = await wh.rows(
      'SELECT * FROM {db}.account_financials(tenant = {tenant:String}, as_of = {as_of:Date}) ORDER BY account_id',
      { tenant, as_of: asOf },
    );
    // P own: MRR 50 (the 07-25 change is later); lifetime 120 + 150 + 80 + 40 = 390;
    // July to date: recurring 100 + 80 = 180, non-recurring 50, invoices 230; cash 150 (i2) + 40 (i5).
    // C1 own: MRR 5, 10 everywhere. P rolled up adds C1 (and G, C2, which have nothing).
    const c1 = {
      mrr: '5',
      lifetime_revenue: '10',
      recurring_invoice_revenue: '10',
      non_recurring_invoice_revenue: '0',
      invoice_revenue: '10',
      cashflow: '10',
    };
    expect(rows).toEqual([
      {
        account_id: 'C1',
        ...c1,
        ...Object.fromEntries(Object.entries(c1).map(([k, v]) => [`${k}_rollup`, v])),
      },
      {
        account_id: 'P',
        mrr: '50',
        lifetime_revenue: '390',
        recurring_invoice_revenue: '180',
        non_recurring_invoice_revenue: '50',
        invoice_revenue: '230',
        cashflow: '190',
        mrr_rollup: '55',
        lifetime_revenue_rollup: '400',
        recurring_invoice_revenue_rollup: '190',
        non_recurring_invoice_revenue_rollup: '50',
        invoice_revenue_rollup: '240',
        cashflow_rollup: '200',
      },
    ]);
  });

  it('ages tickets in calendar days as of a day, without rolling them up', async () => {
    const ticket = (id: string, account: string, created: string, closed: string | null) => {
      seq += 1;
      return {
        tenant,
        ticket_id: id,
        account_id: account,
        user_id: '',
        status: closed === null ? 'open' : 'closed',
        priority: 'normal',
        ticket_type: 'question',
        created_at: at(created, '23:00:00'),
        created_day: created,
        closed_at: closed === null ? null : at(closed, '01:00:00'),
        closed_day: closed,
        ts: at(closed ?? created, '23:30:00'),
        seq,
      };
    };
    await wh.insert('tickets', [
      ticket('t1', 'P', '2026-07-01', '2026-07-11'), // closed: 10 days
      ticket('t2', 'P', '2026-07-15', null), // open: 5 days to as_of
      ticket('t3', 'P', '2026-07-10', '2026-07-25'), // closed after as_of: open, 10 days
      ticket('t4', 'P', '2026-07-21', null), // created after as_of
      ticket('t5', 'C1', '2026-07-19', null), // open: 1 day
    ]);
    const rows = await wh.rows(
      'SELECT * FROM {db}.ticket_age(tenant = {tenant:String}, as_of = {as_of:Date}) ORDER BY account_id',
      { tenant, as_of: asOf },
    );
    expect(rows).toEqual([
      { account_id: 'C1', tickets: 1, open_tickets: 1, avg_age_days: 1 },
      { account_id: 'P', tickets: 3, open_tickets: 2, avg_age_days: 25 / 3 },
    ]);
  });
});

describe('cs.dead_letters', () => {
  it('lists refused records with their reason', async () => {
    await wh.insert('dead_letters', [
      {
        tenant: 'acme',
        topic: 'raw.usage',
        source_partition: 3,
        source_offset: 42,
        step: 'enrich',
        reason: 'accountId: unknown account',
        received_at: at('2026-07-01', '08:00:00'),
        payload: '{"type":"usage"}',
      },
    ]);
    expect(await wh.rows("SELECT * FROM {db}.dead_letters WHERE tenant = 'acme'")).toEqual([
      {
        tenant: 'acme',
        topic: 'raw.usage',
        reason: 'accountId: unknown account',
        received_at: '2026-07-01 08:00:00.000',
        payload: '{"type":"usage"}',
      },
    ]);
  });
});
