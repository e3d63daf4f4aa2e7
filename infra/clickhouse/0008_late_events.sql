-- Late events: the sessionizer's "counted in a queryable warning" (CONTRACT §2).
--
-- An event older than its user's held horizon still counts for activity (usage_events) but not
-- for time or sessions; the sessionizer publishes it on cs.derived.late-events and the sink stores
-- one row per record here. Placeholders as in 0001: {facts_db} the facts, {db} the analyst views.
--
-- NOTE: a producer retry or a duplicate older than the sessionizer's dedup ring arrives again with
-- the same event_id. Plain MergeTree keeps every row (a ReplacingMergeTree would only collapse
-- them at some later merge), so the view counts distinct event ids instead of rows.

CREATE TABLE IF NOT EXISTS {facts_db}.late_events
(
    tenant LowCardinality(String),
    event_id String,
    user_id String,
    account_id String,
    ts DateTime64(3, 'UTC'),
    day Date,
    held_from_day Date
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, user_id, event_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- One row per tenant and local day (the event's own day, not its arrival): how many distinct
-- events of that day arrived too late to count for time and sessions.
CREATE VIEW IF NOT EXISTS {db}.late_events AS
SELECT tenant, day, uniqExact(event_id) AS late_events
FROM {facts_db}.late_events
GROUP BY tenant, day;
