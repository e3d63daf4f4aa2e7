-- Materialized views: each insert into a fact table is folded into small aggregate tables that the
-- cs.* views merge. Targets carry the same deduplication window as the facts.
--
-- NOTE: the sink inserts with deduplicate_blocks_in_dependent_materialized_views = 1, so a retried
-- batch (same insert_deduplication_token) is dropped in these targets too, not only in the facts.
-- NOTE: distinct counts are uniqExact states over cityHash64(tenant, id). They come from
-- usage_events only: activity is never retracted, and a uniqExact state cannot un-count a user.
-- Time and session counts come from the signed rows (sign = +1 / -1) and are plain sums, so a
-- correction cancels exactly what it retracts.

-- Distinct users and accounts, and events, per tenant and day.
CREATE TABLE IF NOT EXISTS {facts_db}.activity_daily
(
    tenant LowCardinality(String),
    day Date,
    users AggregateFunction(uniqExact, UInt64),
    accounts AggregateFunction(uniqExact, UInt64),
    events SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, day)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.activity_daily_mv TO {facts_db}.activity_daily AS
SELECT
    tenant,
    day,
    uniqExactState(cityHash64(tenant, user_id)) AS users,
    uniqExactState(cityHash64(tenant, account_id)) AS accounts,
    toUInt64(count()) AS events
FROM {facts_db}.usage_events
GROUP BY tenant, day;

-- The 30-day window of each day (window_day − 29 … window_day): every event is fanned out to the
-- 30 windows it belongs to, so MAU(d) is one merge of one key instead of 30 daily states.
CREATE TABLE IF NOT EXISTS {facts_db}.activity_window_30d
(
    tenant LowCardinality(String),
    window_day Date,
    users AggregateFunction(uniqExact, UInt64),
    accounts AggregateFunction(uniqExact, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, window_day)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.activity_window_30d_mv TO {facts_db}.activity_window_30d AS
SELECT
    tenant,
    day + lag AS window_day,
    uniqExactState(cityHash64(tenant, user_id)) AS users,
    uniqExactState(cityHash64(tenant, account_id)) AS accounts
FROM {facts_db}.usage_events
ARRAY JOIN range(30) AS lag
GROUP BY tenant, window_day;

-- Per account and day: its own distinct users (states merge across accounts for roll-ups, so a
-- user is counted once in a subtree), events, first and last event time.
CREATE TABLE IF NOT EXISTS {facts_db}.account_activity_daily
(
    tenant LowCardinality(String),
    account_id String,
    day Date,
    users AggregateFunction(uniqExact, UInt64),
    events SimpleAggregateFunction(sum, UInt64),
    first_ts SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_ts SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, account_id, day)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.account_activity_daily_mv TO {facts_db}.account_activity_daily AS
SELECT
    tenant,
    account_id,
    day,
    uniqExactState(cityHash64(tenant, user_id)) AS users,
    toUInt64(count()) AS events,
    min(ts) AS first_ts,
    max(ts) AS last_ts
FROM {facts_db}.usage_events
GROUP BY tenant, account_id, day;

-- Per user: first and last day seen in usage, and the account of its latest usage event (its
-- account when no user record names one).
CREATE TABLE IF NOT EXISTS {facts_db}.user_seen
(
    tenant LowCardinality(String),
    user_id String,
    first_day SimpleAggregateFunction(min, Date),
    last_day SimpleAggregateFunction(max, Date),
    last_account AggregateFunction(argMax, String, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, user_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.user_seen_mv TO {facts_db}.user_seen AS
SELECT
    tenant,
    user_id,
    min(day) AS first_day,
    max(day) AS last_day,
    argMaxState(account_id, ts) AS last_account
FROM {facts_db}.usage_events
GROUP BY tenant, user_id;

-- The first day a user record arrived for a user: `users` keeps only the latest state (older ones
-- are merged away), but "users the tenant knows as of d" needs the earliest.
CREATE TABLE IF NOT EXISTS {facts_db}.user_records_first
(
    tenant LowCardinality(String),
    user_id String,
    first_day SimpleAggregateFunction(min, Date)
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, user_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.user_records_first_mv TO {facts_db}.user_records_first AS
SELECT tenant, user_id, min(day) AS first_day
FROM {facts_db}.users
GROUP BY tenant, user_id;

-- Signed time per user, account, module and day (the finest grain any time figure needs).
-- NOTE: SummingMergeTree drops a row whose sums all reach 0, so fully retracted time vanishes.
CREATE TABLE IF NOT EXISTS {facts_db}.time_daily
(
    tenant LowCardinality(String),
    day Date,
    account_id String,
    user_id String,
    product LowCardinality(String),
    module LowCardinality(String),
    time_ms Int64
)
ENGINE = SummingMergeTree
ORDER BY (tenant, day, account_id, user_id, product, module)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.time_daily_mv TO {facts_db}.time_daily AS
SELECT tenant, day, account_id, user_id, product, module, sum(ms * sign) AS time_ms
FROM {facts_db}.time_slices
GROUP BY tenant, day, account_id, user_id, product, module;

-- Signed session counts per account and day.
CREATE TABLE IF NOT EXISTS {facts_db}.sessions_daily
(
    tenant LowCardinality(String),
    day Date,
    account_id String,
    sessions Int64
)
ENGINE = SummingMergeTree
ORDER BY (tenant, day, account_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.sessions_daily_mv TO {facts_db}.sessions_daily AS
SELECT tenant, day, account_id, sum(toInt64(sign)) AS sessions
FROM {facts_db}.sessions
GROUP BY tenant, day, account_id;

-- Module use per account, user and day: events and the latest event time. Days used, users and
-- (user, day) pairs are counts of these keys over a window.
CREATE TABLE IF NOT EXISTS {facts_db}.module_daily
(
    tenant LowCardinality(String),
    account_id String,
    product LowCardinality(String),
    module LowCardinality(String),
    day Date,
    user_id String,
    events SimpleAggregateFunction(sum, UInt64),
    last_ts SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, account_id, product, module, day, user_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.module_daily_mv TO {facts_db}.module_daily AS
SELECT
    tenant,
    account_id,
    product,
    module,
    day,
    user_id,
    toUInt64(count()) AS events,
    max(ts) AS last_ts
FROM {facts_db}.usage_events
GROUP BY tenant, account_id, product, module, day, user_id;

-- Feature use per account, user and day: the sum of `count`. Events without a feature are plain
-- activity and do not count here (CONTRACT §1).
CREATE TABLE IF NOT EXISTS {facts_db}.feature_daily
(
    tenant LowCardinality(String),
    account_id String,
    product LowCardinality(String),
    module LowCardinality(String),
    feature String,
    day Date,
    user_id String,
    uses SimpleAggregateFunction(sum, UInt64),
    last_ts SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, account_id, product, module, feature, day, user_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {facts_db}.feature_daily_mv TO {facts_db}.feature_daily AS
SELECT
    tenant,
    account_id,
    product,
    module,
    feature,
    day,
    user_id,
    sum(toUInt64(count)) AS uses,
    max(ts) AS last_ts
FROM {facts_db}.usage_events
WHERE feature != ''
GROUP BY tenant, account_id, product, module, feature, day, user_id;
