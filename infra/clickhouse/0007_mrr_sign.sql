-- Signed MRR rows (billing's corrections for out-of-order subscription actions).
--
-- Billing emits every row of mrr_movements and account_mrr with a sign: +1 states a row, −1
-- retracts one it emitted before, repeating it exactly, so for every row the sum of signs is 1
-- (true now) or 0 (retracted). Rows written before this migration are in-order facts: sign 1.
--
-- NOTE: a retraction and its replacement may share (at, seq, mrr) (only mrr_before changed, which
-- account_mrr does not store); netting by (at, seq, mrr) still gives 1 for that row, as it must.
-- Views net by the full row, so retraction order and batch boundaries never matter.

ALTER TABLE {facts_db}.mrr_movements ADD COLUMN IF NOT EXISTS sign Int8 DEFAULT 1;

ALTER TABLE {facts_db}.account_mrr ADD COLUMN IF NOT EXISTS sign Int8 DEFAULT 1;

-- The account_mrr rows that are true now: those whose signs net positive.
CREATE VIEW IF NOT EXISTS {facts_db}.account_mrr_net AS
SELECT tenant, account_id, at, seq, day, mrr
FROM {facts_db}.account_mrr
GROUP BY tenant, account_id, at, seq, day, mrr
HAVING sum(sign) > 0;

-- As 0006, with flows summing sign × amount, churned accounts counted where their churn rows of
-- the month net positive, and month-end MRR from the latest (at, seq) among net-positive rows.
CREATE OR REPLACE VIEW {db}.mrr_monthly AS
WITH
    daily AS (
        SELECT tenant, account_id, day, argMax(mrr, (at, seq)) AS mrr
        FROM {facts_db}.account_mrr_net
        GROUP BY tenant, account_id, day
    ),
    bounds AS (
        SELECT
            tenant,
            toStartOfMonth(min(day)) AS first_month,
            greatest(toStartOfMonth(max(day)), toStartOfMonth(today())) AS last_month
        FROM {facts_db}.account_mrr_net
        GROUP BY tenant
    ),
    months AS (
        SELECT
            tenant,
            arrayJoin(arrayMap(i -> addMonths(first_month, i), range(toUInt32(dateDiff('month', first_month, last_month) + 1)))) AS month
        FROM bounds
    ),
    grid AS (
        SELECT months.tenant AS tenant, months.month AS month, subtractDays(addMonths(months.month, 1), 1) AS month_end, accounts.account_id AS account_id
        FROM months
        INNER JOIN (SELECT DISTINCT tenant, account_id FROM {facts_db}.account_mrr_net) AS accounts ON accounts.tenant = months.tenant
    ),
    -- NOTE: ASOF LEFT JOIN takes the latest day ≤ month_end; no change yet gives the default 0.
    month_end AS (
        SELECT grid.tenant AS tenant, grid.month AS month, grid.account_id AS account_id, daily.mrr AS mrr
        FROM grid
        ASOF LEFT JOIN daily
            ON daily.tenant = grid.tenant AND daily.account_id = grid.account_id AND grid.month_end >= daily.day
    ),
    totals AS (
        SELECT tenant, month, CAST(sum(mrr) AS Decimal(38, 6)) AS total_mrr, countIf(mrr > 0) AS active_accounts
        FROM month_end
        GROUP BY tenant, month
    ),
    -- Accounts paying at the start of M are those paying at the end of M − 1.
    at_start AS (
        SELECT tenant, addMonths(month, 1) AS month, account_id
        FROM month_end
        WHERE mrr > 0
    ),
    churned AS (
        SELECT tenant, toStartOfMonth(day) AS month, account_id
        FROM {facts_db}.mrr_movements
        WHERE kind = 'churn'
        GROUP BY tenant, month, account_id
        HAVING sum(sign) > 0
    ),
    churn AS (
        SELECT
            tenant,
            month,
            count() AS accounts_at_start,
            countIf((tenant, month, account_id) IN (SELECT tenant, month, account_id FROM churned)) AS churned_accounts
        FROM at_start
        GROUP BY tenant, month
    ),
    flows AS (
        SELECT
            tenant,
            toStartOfMonth(day) AS month,
            CAST(sumIf(sign * (mrr_after - mrr_before), kind = 'new') AS Decimal(38, 6)) AS new_mrr,
            CAST(sumIf(sign * (mrr_after - mrr_before), kind = 'expansion') AS Decimal(38, 6)) AS expansion_mrr,
            CAST(sumIf(sign * (mrr_before - mrr_after), kind = 'contraction') AS Decimal(38, 6)) AS contraction_mrr,
            CAST(sumIf(sign * (mrr_before - mrr_after), kind = 'churn') AS Decimal(38, 6)) AS churn_mrr,
            CAST(sumIf(sign * (mrr_after - mrr_before), kind = 'reactivation') AS Decimal(38, 6)) AS reactivation_mrr
        FROM {facts_db}.mrr_movements
        GROUP BY tenant, month
    )
SELECT
    totals.tenant AS tenant,
    totals.month AS month,
    totals.total_mrr AS mrr,
    toUInt64(totals.active_accounts) AS active_accounts,
    if(totals.active_accounts = 0, NULL, totals.total_mrr / totals.active_accounts) AS arpa,
    toUInt64(churn.accounts_at_start) AS accounts_at_start,
    toUInt64(churn.churned_accounts) AS churned_accounts,
    if(churn.accounts_at_start = 0, NULL, churn.churned_accounts / churn.accounts_at_start) AS churn_rate,
    if(
        churn.churned_accounts = 0 OR totals.active_accounts = 0,
        NULL,
        totals.total_mrr * churn.accounts_at_start / (totals.active_accounts * churn.churned_accounts)
    ) AS clv,
    flows.new_mrr AS new_mrr,
    flows.expansion_mrr AS expansion_mrr,
    flows.contraction_mrr AS contraction_mrr,
    flows.churn_mrr AS churn_mrr,
    flows.reactivation_mrr AS reactivation_mrr
FROM totals
LEFT JOIN churn ON churn.tenant = totals.tenant AND churn.month = totals.month
LEFT JOIN flows ON flows.tenant = totals.tenant AND flows.month = totals.month;

-- As 0006; only the MRR part changes: the latest (at, seq) among net-positive account_mrr rows.
CREATE OR REPLACE VIEW {db}.account_financials AS
WITH
    mrr AS (
        SELECT account_id, argMax(mrr, (at, seq)) AS mrr
        FROM {facts_db}.account_mrr_net
        WHERE tenant = {tenant:String} AND day <= {as_of:Date}
        GROUP BY account_id
    ),
    invoiced AS (
        SELECT
            account_id,
            sumIf(recurring_amount + non_recurring_amount, issued_day <= {as_of:Date}) AS lifetime_revenue,
            sumIf(recurring_amount, issued_day BETWEEN toStartOfMonth({as_of:Date}) AND {as_of:Date}) AS recurring_invoice_revenue,
            sumIf(non_recurring_amount, issued_day BETWEEN toStartOfMonth({as_of:Date}) AND {as_of:Date}) AS non_recurring_invoice_revenue,
            sumIf(
                recurring_amount + non_recurring_amount,
                paid_day IS NOT NULL AND assumeNotNull(paid_day) BETWEEN toStartOfMonth({as_of:Date}) AND {as_of:Date}
            ) AS cashflow
        FROM {facts_db}.invoices_current
        WHERE tenant = {tenant:String}
        GROUP BY account_id
    ),
    own AS (
        SELECT
            account_id,
            CAST(sum(part_mrr) AS Decimal(38, 6)) AS mrr,
            CAST(sum(part_lifetime_revenue) AS Decimal(38, 6)) AS lifetime_revenue,
            CAST(sum(part_recurring_invoice_revenue) AS Decimal(38, 6)) AS recurring_invoice_revenue,
            CAST(sum(part_non_recurring_invoice_revenue) AS Decimal(38, 6)) AS non_recurring_invoice_revenue,
            CAST(sum(part_cashflow) AS Decimal(38, 6)) AS cashflow
        FROM
        (
            SELECT
                account_id,
                CAST(mrr AS Decimal(38, 6)) AS part_mrr,
                CAST(0 AS Decimal(38, 6)) AS part_lifetime_revenue,
                CAST(0 AS Decimal(38, 6)) AS part_recurring_invoice_revenue,
                CAST(0 AS Decimal(38, 6)) AS part_non_recurring_invoice_revenue,
                CAST(0 AS Decimal(38, 6)) AS part_cashflow
            FROM mrr
            UNION ALL
            SELECT
                account_id,
                CAST(0 AS Decimal(38, 6)) AS part_mrr,
                CAST(lifetime_revenue AS Decimal(38, 6)) AS part_lifetime_revenue,
                CAST(recurring_invoice_revenue AS Decimal(38, 6)) AS part_recurring_invoice_revenue,
                CAST(non_recurring_invoice_revenue AS Decimal(38, 6)) AS part_non_recurring_invoice_revenue,
                CAST(cashflow AS Decimal(38, 6)) AS part_cashflow
            FROM invoiced
        )
        GROUP BY account_id
    ),
    rolled AS (
        SELECT
            rollup_id AS account_id,
            sum(mrr) AS mrr,
            sum(lifetime_revenue) AS lifetime_revenue,
            sum(recurring_invoice_revenue) AS recurring_invoice_revenue,
            sum(non_recurring_invoice_revenue) AS non_recurring_invoice_revenue,
            sum(cashflow) AS cashflow
        FROM
        (
            SELECT account_id AS rollup_id, mrr, lifetime_revenue, recurring_invoice_revenue, non_recurring_invoice_revenue, cashflow
            FROM own
            UNION ALL
            SELECT
                ancestors.ancestor_id AS rollup_id,
                own.mrr AS mrr,
                own.lifetime_revenue AS lifetime_revenue,
                own.recurring_invoice_revenue AS recurring_invoice_revenue,
                own.non_recurring_invoice_revenue AS non_recurring_invoice_revenue,
                own.cashflow AS cashflow
            FROM own
            INNER JOIN {facts_db}.account_ancestors AS ancestors
                ON ancestors.tenant = {tenant:String} AND ancestors.account_id = own.account_id
        )
        GROUP BY rollup_id
    )
SELECT
    rolled.account_id AS account_id,
    own.mrr AS mrr,
    own.lifetime_revenue AS lifetime_revenue,
    own.recurring_invoice_revenue AS recurring_invoice_revenue,
    own.non_recurring_invoice_revenue AS non_recurring_invoice_revenue,
    own.recurring_invoice_revenue + own.non_recurring_invoice_revenue AS invoice_revenue,
    own.cashflow AS cashflow,
    rolled.mrr AS mrr_rollup,
    rolled.lifetime_revenue AS lifetime_revenue_rollup,
    rolled.recurring_invoice_revenue AS recurring_invoice_revenue_rollup,
    rolled.non_recurring_invoice_revenue AS non_recurring_invoice_revenue_rollup,
    rolled.recurring_invoice_revenue + rolled.non_recurring_invoice_revenue AS invoice_revenue_rollup,
    rolled.cashflow AS cashflow_rollup
FROM rolled
LEFT JOIN own ON own.account_id = rolled.account_id;
