-- Parameterised views of module and feature usage and of activity rank (CONTRACT §3).
-- Usage: SELECT * FROM cs.module_usage(tenant = 'acme', date_from = '2026-07-01', date_to = '2026-07-30')
--
-- NOTE: "users" are the distinct users with use on the account in the window; "non_users" are the
-- account's current product users (cs.users) without use in it. Per-user-per-day figures divide
-- by the number of (user, day) pairs with use; time is rounded to whole ms.

CREATE VIEW IF NOT EXISTS {db}.module_usage AS
WITH
    used AS (
        SELECT account_id, product, module, day, user_id, max(last_ts) AS last_ts
        FROM {facts_db}.module_daily
        WHERE tenant = {tenant:String} AND day BETWEEN {date_from:Date} AND {date_to:Date}
        GROUP BY account_id, product, module, day, user_id
    ),
    per_module AS (
        SELECT
            account_id,
            product,
            module,
            uniqExact(day) AS total_days_used,
            groupUniqArray(user_id) AS used_by,
            count() AS user_days,
            max(last_ts) AS last_used
        FROM used
        GROUP BY account_id, product, module
    ),
    spent AS (
        SELECT account_id, product, module, sum(time_ms) AS time_ms
        FROM {facts_db}.time_daily
        WHERE tenant = {tenant:String} AND day BETWEEN {date_from:Date} AND {date_to:Date}
        GROUP BY account_id, product, module
    ),
    members AS (
        SELECT account_id, groupArray(user_id) AS product_users
        FROM {facts_db}.user_directory
        WHERE tenant = {tenant:String}
        GROUP BY account_id
    )
SELECT
    per_module.account_id AS account_id,
    per_module.product AS product,
    per_module.module AS module,
    toUInt64(greatest(spent.time_ms, 0)) AS total_time_ms,
    per_module.total_days_used AS total_days_used,
    toUInt64(length(per_module.used_by)) AS users,
    toUInt64(length(arrayFilter(user -> NOT has(per_module.used_by, user), members.product_users))) AS non_users,
    toUInt64(round(total_time_ms / per_module.user_days)) AS time_per_user_per_day_used_ms,
    per_module.last_used AS last_used
FROM per_module
LEFT JOIN spent
    ON spent.account_id = per_module.account_id AND spent.product = per_module.product AND spent.module = per_module.module
LEFT JOIN members ON members.account_id = per_module.account_id;

CREATE VIEW IF NOT EXISTS {db}.feature_usage AS
WITH
    used AS (
        SELECT account_id, product, module, feature, day, user_id, sum(uses) AS uses, max(last_ts) AS last_ts
        FROM {facts_db}.feature_daily
        WHERE tenant = {tenant:String} AND day BETWEEN {date_from:Date} AND {date_to:Date}
        GROUP BY account_id, product, module, feature, day, user_id
    ),
    per_feature AS (
        SELECT
            account_id,
            product,
            module,
            feature,
            sum(uses) AS total_count,
            uniqExact(day) AS total_days_used,
            groupUniqArray(user_id) AS used_by,
            count() AS user_days,
            max(last_ts) AS last_used
        FROM used
        GROUP BY account_id, product, module, feature
    ),
    members AS (
        SELECT account_id, groupArray(user_id) AS product_users
        FROM {facts_db}.user_directory
        WHERE tenant = {tenant:String}
        GROUP BY account_id
    )
SELECT
    per_feature.account_id AS account_id,
    per_feature.product AS product,
    per_feature.module AS module,
    per_feature.feature AS feature,
    per_feature.total_count AS total_count,
    per_feature.total_days_used AS total_days_used,
    toUInt64(length(per_feature.used_by)) AS users,
    toUInt64(length(arrayFilter(user -> NOT has(per_feature.used_by, user), members.product_users))) AS non_users,
    per_feature.total_count / per_feature.user_days AS count_per_user_per_day_used,
    per_feature.last_used AS last_used
FROM per_feature
LEFT JOIN members ON members.account_id = per_feature.account_id;

-- Activity over as_of−6 … as_of for every user the tenant knows as of as_of (cs.users, known from
-- a user record or usage on or before as_of). rank() − 1 is the number of users with strictly less.
CREATE VIEW IF NOT EXISTS {db}.user_activity AS
WITH
    known AS (
        SELECT user_id, account_id
        FROM {facts_db}.user_directory
        WHERE tenant = {tenant:String} AND known_since <= {as_of:Date}
    ),
    spent AS (
        SELECT user_id, sum(time_ms) AS time_ms
        FROM {facts_db}.time_daily
        WHERE tenant = {tenant:String} AND day BETWEEN subtractDays({as_of:Date}, 6) AND {as_of:Date}
        GROUP BY user_id
    ),
    scored AS (
        SELECT known.user_id AS user_id, known.account_id AS account_id, toUInt64(greatest(spent.time_ms, 0)) AS activity_ms
        FROM known
        LEFT JOIN spent ON spent.user_id = known.user_id
    )
SELECT
    user_id,
    account_id,
    activity_ms,
    if(
        count() OVER () <= 1,
        0,
        100 * (rank() OVER (ORDER BY activity_ms) - 1) / (count() OVER () - 1)
    ) AS activity_rank
FROM scored;

-- Accounts with at least one user known as of as_of, ranked by their own users' time (time
-- attributed to the account on the time slices) over as_of−6 … as_of.
CREATE VIEW IF NOT EXISTS {db}.account_activity AS
WITH
    known AS (
        SELECT DISTINCT account_id
        FROM {facts_db}.user_directory
        WHERE tenant = {tenant:String} AND known_since <= {as_of:Date}
    ),
    spent AS (
        SELECT account_id, sum(time_ms) AS time_ms
        FROM {facts_db}.time_daily
        WHERE tenant = {tenant:String} AND day BETWEEN subtractDays({as_of:Date}, 6) AND {as_of:Date}
        GROUP BY account_id
    ),
    scored AS (
        SELECT known.account_id AS account_id, toUInt64(greatest(spent.time_ms, 0)) AS activity_ms
        FROM known
        LEFT JOIN spent ON spent.account_id = known.account_id
    )
SELECT
    account_id,
    activity_ms,
    if(
        count() OVER () <= 1,
        0,
        100 * (rank() OVER (ORDER BY activity_ms) - 1) / (count() OVER () - 1)
    ) AS activity_rank
FROM scored;
