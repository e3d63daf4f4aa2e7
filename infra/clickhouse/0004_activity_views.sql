-- The activity part of the analyst surface (CONTRACT §3): daily and 30-day activity, per-account
-- activity own and rolled up, sessions, accounts and users. Definitions: CONTRACT §2, worked
-- examples: docs/metrics.md.
--
-- NOTE: time and session sums are signed (corrections); a sum is clamped at 0 only so that a
-- half-applied correction can never show as a huge UInt64. Ratios are rounded to whole ms.

CREATE VIEW IF NOT EXISTS {db}.daily_activity AS
WITH
    activity AS (
        SELECT
            tenant,
            day,
            uniqExactMerge(users) AS active_users,
            uniqExactMerge(accounts) AS active_accounts,
            sum(events) AS events
        FROM {facts_db}.activity_daily
        GROUP BY tenant, day
    ),
    spent AS (
        SELECT tenant, day, sum(time_ms) AS time_ms
        FROM {facts_db}.time_daily
        GROUP BY tenant, day
    ),
    session_counts AS (
        SELECT tenant, day, sum(sessions) AS sessions
        FROM {facts_db}.sessions_daily
        GROUP BY tenant, day
    )
SELECT
    activity.tenant AS tenant,
    activity.day AS day,
    activity.active_users AS active_users,
    activity.active_accounts AS active_accounts,
    toUInt64(greatest(session_counts.sessions, 0)) AS sessions,
    activity.events AS events,
    toUInt64(greatest(spent.time_ms, 0)) AS time_ms,
    toUInt64(round(time_ms / active_users)) AS time_per_active_user_ms,
    toUInt64(round(time_ms / active_accounts)) AS time_per_active_account_ms
FROM activity
LEFT JOIN spent ON spent.tenant = activity.tenant AND spent.day = activity.day
LEFT JOIN session_counts ON session_counts.tenant = activity.tenant AND session_counts.day = activity.day;

-- MAU(d): the fanned-out window state of d (users active on d−29 … d). Time over the same window
-- is a 30-day RANGE window over daily totals (a day without time still needs its row, hence the
-- zero rows from activity_daily).
CREATE VIEW IF NOT EXISTS {db}.monthly_activity AS
WITH
    active_days AS (
        SELECT DISTINCT tenant, day FROM {facts_db}.activity_daily
    ),
    windows AS (
        SELECT
            tenant,
            window_day AS day,
            uniqExactMerge(users) AS active_users,
            uniqExactMerge(accounts) AS active_accounts
        FROM {facts_db}.activity_window_30d
        GROUP BY tenant, window_day
    ),
    daily_time AS (
        SELECT tenant, day, sum(time_ms) AS time_ms
        FROM
        (
            SELECT tenant, day, time_ms FROM {facts_db}.time_daily
            UNION ALL
            SELECT tenant, day, toInt64(0) AS time_ms FROM {facts_db}.activity_daily
        )
        GROUP BY tenant, day
    ),
    window_time AS (
        SELECT
            tenant,
            day,
            sum(time_ms) OVER (PARTITION BY tenant ORDER BY day RANGE BETWEEN 29 PRECEDING AND CURRENT ROW) AS time_ms
        FROM daily_time
    )
SELECT
    active_days.tenant AS tenant,
    active_days.day AS day,
    windows.active_users AS active_users,
    windows.active_accounts AS active_accounts,
    toUInt64(greatest(window_time.time_ms, 0)) AS time_ms,
    toUInt64(round(time_ms / active_users)) AS time_per_active_user_ms,
    toUInt64(round(time_ms / active_accounts)) AS time_per_active_account_ms
FROM active_days
INNER JOIN windows ON windows.tenant = active_days.tenant AND windows.day = active_days.day
LEFT JOIN window_time ON window_time.tenant = active_days.tenant AND window_time.day = active_days.day;

-- Own users only: activity attributed by the account on the usage event / time slice.
CREATE VIEW IF NOT EXISTS {db}.account_daily_activity AS
WITH
    activity AS (
        SELECT tenant, account_id, day, uniqExactMerge(users) AS active_users, sum(events) AS events
        FROM {facts_db}.account_activity_daily
        GROUP BY tenant, account_id, day
    ),
    spent AS (
        SELECT tenant, account_id, day, sum(time_ms) AS time_ms
        FROM {facts_db}.time_daily
        GROUP BY tenant, account_id, day
    )
SELECT
    activity.tenant AS tenant,
    activity.account_id AS account_id,
    activity.day AS day,
    activity.active_users AS active_users,
    activity.events AS events,
    toUInt64(greatest(spent.time_ms, 0)) AS time_ms
FROM activity
LEFT JOIN spent
    ON spent.tenant = activity.tenant AND spent.account_id = activity.account_id AND spent.day = activity.day;

-- Rolled up over the current subtree: each account's states and sums are added to itself and to
-- every current ancestor; merging the uniqExact states counts a user once in a subtree.
CREATE VIEW IF NOT EXISTS {db}.account_daily_activity_rollup AS
WITH
    own_activity AS (
        SELECT tenant, account_id, day, users, events FROM {facts_db}.account_activity_daily
    ),
    activity AS (
        SELECT tenant, rollup_id AS account_id, day, uniqExactMerge(users) AS active_users, sum(events) AS events
        FROM
        (
            SELECT tenant, account_id AS rollup_id, day, users, events FROM own_activity
            UNION ALL
            SELECT own_activity.tenant AS tenant, ancestors.ancestor_id AS rollup_id, own_activity.day AS day, own_activity.users AS users, own_activity.events AS events
            FROM own_activity
            INNER JOIN {facts_db}.account_ancestors AS ancestors
                ON ancestors.tenant = own_activity.tenant AND ancestors.account_id = own_activity.account_id
        )
        GROUP BY tenant, rollup_id, day
    ),
    own_time AS (
        SELECT tenant, account_id, day, sum(time_ms) AS time_ms
        FROM {facts_db}.time_daily
        GROUP BY tenant, account_id, day
    ),
    spent AS (
        SELECT tenant, rollup_id AS account_id, day, sum(time_ms) AS time_ms
        FROM
        (
            SELECT tenant, account_id AS rollup_id, day, time_ms FROM own_time
            UNION ALL
            SELECT own_time.tenant AS tenant, ancestors.ancestor_id AS rollup_id, own_time.day AS day, own_time.time_ms AS time_ms
            FROM own_time
            INNER JOIN {facts_db}.account_ancestors AS ancestors
                ON ancestors.tenant = own_time.tenant AND ancestors.account_id = own_time.account_id
        )
        GROUP BY tenant, rollup_id, day
    )
SELECT
    activity.tenant AS tenant,
    activity.account_id AS account_id,
    activity.day AS day,
    activity.active_users AS active_users,
    activity.events AS events,
    toUInt64(greatest(spent.time_ms, 0)) AS time_ms
FROM activity
LEFT JOIN spent
    ON spent.tenant = activity.tenant AND spent.account_id = activity.account_id AND spent.day = activity.day;

-- Sessions net of corrections: a −1 row cancels the +1 row it repeats.
CREATE VIEW IF NOT EXISTS {db}.sessions AS
SELECT
    tenant,
    session_id,
    account_id,
    user_id,
    day,
    started_at,
    ended_at,
    duration_ms,
    events,
    module_time_ms
FROM {facts_db}.sessions
GROUP BY tenant, session_id, account_id, user_id, day, started_at, ended_at, duration_ms, events, module_time_ms
HAVING sum(sign) > 0;

CREATE VIEW IF NOT EXISTS {db}.accounts AS
SELECT
    tenant,
    account_id,
    name,
    parent_id,
    join_date,
    renewal_date,
    source,
    first_seen,
    last_seen,
    product_users
FROM {facts_db}.account_directory;

CREATE VIEW IF NOT EXISTS {db}.users AS
SELECT tenant, user_id, account_id, email, role, first_seen, last_seen
FROM {facts_db}.user_directory;
