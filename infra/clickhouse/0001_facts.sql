-- Fact tables: what the sink inserts. Column meanings are documented in infra/clickhouse/README.md;
-- they are the contract between the stream processors and the warehouse.
--
-- Placeholders (substituted by @cs/migrate after validating the name): {facts_db} holds these
-- tables, {db} the analyst views of CONTRACT §3.
--
-- NOTE: every MergeTree table keeps the hashes of its last 1000 inserted blocks
-- (non_replicated_deduplication_window), so a sink batch retried with the same
-- insert_deduplication_token is a no-op. On a ReplicatedMergeTree variant the matching setting is
-- replicated_deduplication_window (default 1000 on recent servers; keep it ≥ 1000 there).

CREATE TABLE IF NOT EXISTS {facts_db}.usage_events
(
    tenant LowCardinality(String),
    event_id String,
    ts DateTime64(3, 'UTC'),
    day Date,
    account_id String,
    user_id String,
    product LowCardinality(String),
    module LowCardinality(String),
    feature String,
    count UInt32,
    account_path Array(String),
    properties Map(String, String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, account_id, user_id, ts)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.time_slices
(
    tenant LowCardinality(String),
    user_id String,
    account_id String,
    day Date,
    session_id String,
    product LowCardinality(String),
    module LowCardinality(String),
    ms Int64,
    sign Int8
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, account_id, user_id, module)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.sessions
(
    tenant LowCardinality(String),
    session_id String,
    user_id String,
    account_id String,
    day Date,
    started_at DateTime64(3, 'UTC'),
    ended_at DateTime64(3, 'UTC'),
    duration_ms UInt64,
    events UInt32,
    module_time_ms Map(String, UInt64),
    sign Int8
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, user_id, session_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Entity states: every record is inserted; the views pick, per entity, the row with the latest
-- (ts, seq). ReplacingMergeTree(ts) only reclaims space in the background.
-- NOTE: the views never rely on FINAL or on merges having happened, so they are exact at any time.

CREATE TABLE IF NOT EXISTS {facts_db}.accounts
(
    tenant LowCardinality(String),
    account_id String,
    name String,
    parent_id Nullable(String),
    join_date Nullable(Date),
    renewal_date Nullable(Date),
    source String,
    attributes Map(String, String),
    ts DateTime64(3, 'UTC'),
    day Date,
    seq UInt64
)
ENGINE = ReplacingMergeTree(ts)
ORDER BY (tenant, account_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.users
(
    tenant LowCardinality(String),
    user_id String,
    account_id String,
    email String,
    role String,
    attributes Map(String, String),
    ts DateTime64(3, 'UTC'),
    day Date,
    seq UInt64
)
ENGINE = ReplacingMergeTree(ts)
ORDER BY (tenant, user_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.account_hierarchy
(
    tenant LowCardinality(String),
    account_id String,
    parent_id Nullable(String),
    ts DateTime64(3, 'UTC'),
    seq UInt64
)
ENGINE = ReplacingMergeTree(ts)
ORDER BY (tenant, account_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.mrr_movements
(
    tenant LowCardinality(String),
    account_id String,
    at DateTime64(3, 'UTC'),
    day Date,
    kind Enum8('new' = 1, 'expansion' = 2, 'contraction' = 3, 'churn' = 4, 'reactivation' = 5),
    mrr_before Decimal(18, 6),
    mrr_after Decimal(18, 6),
    delta Decimal(18, 6)
)
ENGINE = MergeTree
ORDER BY (tenant, account_id, at)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.account_mrr
(
    tenant LowCardinality(String),
    account_id String,
    at DateTime64(3, 'UTC'),
    day Date,
    mrr Decimal(18, 6),
    seq UInt64
)
ENGINE = MergeTree
ORDER BY (tenant, account_id, at, seq)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.invoices
(
    tenant LowCardinality(String),
    invoice_id String,
    account_id String,
    issued_at DateTime64(3, 'UTC'),
    issued_day Date,
    recurring_amount Decimal(18, 6),
    non_recurring_amount Decimal(18, 6),
    paid_at Nullable(DateTime64(3, 'UTC')),
    paid_day Nullable(Date),
    currency LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    seq UInt64
)
ENGINE = ReplacingMergeTree(ts)
ORDER BY (tenant, invoice_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.tickets
(
    tenant LowCardinality(String),
    ticket_id String,
    account_id String,
    user_id String,
    status Enum8('open' = 1, 'pending' = 2, 'closed' = 3),
    priority String,
    ticket_type String,
    created_at DateTime64(3, 'UTC'),
    created_day Date,
    closed_at Nullable(DateTime64(3, 'UTC')),
    closed_day Nullable(Date),
    ts DateTime64(3, 'UTC'),
    seq UInt64
)
ENGINE = ReplacingMergeTree(ts)
ORDER BY (tenant, ticket_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {facts_db}.dead_letters
(
    tenant LowCardinality(String),
    topic LowCardinality(String),
    source_partition Int32,
    source_offset Int64,
    step LowCardinality(String),
    reason String,
    received_at DateTime64(3, 'UTC'),
    payload String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (tenant, received_at)
SETTINGS non_replicated_deduplication_window = 1000;
