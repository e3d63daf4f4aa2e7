-- Internal views over the entity tables: the current state of each entity, the current account
-- hierarchy as (account, proper ancestor) pairs, and the user and account directories the cs.*
-- views share. They live in {facts_db}: the analyst surface {db} holds exactly CONTRACT §3.
--
-- NOTE: "latest state" is the row with the greatest (ts, seq) — equal ts: the later arrival —
-- chosen with LIMIT 1 BY, so it is exact whether or not ReplacingMergeTree has merged yet.

CREATE VIEW IF NOT EXISTS {facts_db}.accounts_current AS
SELECT tenant, account_id, name, parent_id, join_date, renewal_date, source, attributes, ts, day
FROM {facts_db}.accounts
ORDER BY ts DESC, seq DESC
LIMIT 1 BY tenant, account_id;

CREATE VIEW IF NOT EXISTS {facts_db}.users_current AS
SELECT tenant, user_id, account_id, email, role, attributes, ts, day
FROM {facts_db}.users
ORDER BY ts DESC, seq DESC
LIMIT 1 BY tenant, user_id;

CREATE VIEW IF NOT EXISTS {facts_db}.invoices_current AS
SELECT
    tenant,
    invoice_id,
    account_id,
    issued_at,
    issued_day,
    recurring_amount,
    non_recurring_amount,
    paid_at,
    paid_day,
    currency
FROM {facts_db}.invoices
ORDER BY ts DESC, seq DESC
LIMIT 1 BY tenant, invoice_id;

CREATE VIEW IF NOT EXISTS {facts_db}.tickets_current AS
SELECT
    tenant,
    ticket_id,
    account_id,
    user_id,
    status,
    priority,
    ticket_type,
    created_at,
    created_day,
    closed_at,
    closed_day
FROM {facts_db}.tickets
ORDER BY ts DESC, seq DESC
LIMIT 1 BY tenant, ticket_id;

-- Current parent links (cycle-making links were already refused upstream; a root has NULL).
CREATE VIEW IF NOT EXISTS {facts_db}.account_hierarchy_current AS
SELECT tenant, account_id, parent_id
FROM {facts_db}.account_hierarchy
ORDER BY ts DESC, seq DESC
LIMIT 1 BY tenant, account_id;

-- Every (account, proper ancestor) pair of the current hierarchy. Roll-ups add an account's own
-- rows to itself and to each of these ancestors.
-- NOTE: the depth cap (64) only guards against a cycle that slipped past the refusal upstream.
CREATE VIEW IF NOT EXISTS {facts_db}.account_ancestors AS
WITH RECURSIVE
    links AS (
        SELECT tenant, account_id, assumeNotNull(parent_id) AS parent_id
        FROM {facts_db}.account_hierarchy_current
        WHERE parent_id IS NOT NULL AND parent_id != ''
    ),
    walk AS (
        SELECT tenant, account_id, parent_id AS ancestor_id, toUInt32(1) AS depth
        FROM links
        UNION ALL
        SELECT walk.tenant, walk.account_id, links.parent_id AS ancestor_id, toUInt32(walk.depth + 1) AS depth
        FROM walk
        INNER JOIN links ON links.tenant = walk.tenant AND links.account_id = walk.ancestor_id
        WHERE walk.depth < 64
    )
SELECT DISTINCT tenant, account_id, ancestor_id
FROM walk
WHERE ancestor_id != account_id;

-- Every user the tenant knows (from user records or usage), with its current account: the latest
-- user record's, else the account of its latest usage event. known_since is the first day it was
-- known by either.
CREATE VIEW IF NOT EXISTS {facts_db}.user_directory AS
SELECT
    tenant,
    user_id,
    if(countIf(src = 'record') > 0, anyIf(account_id, src = 'record'), anyIf(account_id, src = 'usage')) AS account_id,
    anyIf(email, src = 'record') AS email,
    anyIf(role, src = 'record') AS role,
    if(countIf(src = 'usage') > 0, minIf(first_day, src = 'usage'), NULL) AS first_seen,
    if(countIf(src = 'usage') > 0, maxIf(last_day, src = 'usage'), NULL) AS last_seen,
    minIf(first_day, src IN ('usage', 'first_record')) AS known_since
FROM
(
    SELECT 'record' AS src, tenant, user_id, account_id, email, role, toDate(0) AS first_day, toDate(0) AS last_day
    FROM {facts_db}.users_current
    UNION ALL
    SELECT 'first_record' AS src, tenant, user_id, '' AS account_id, '' AS email, '' AS role, min(first_day) AS first_day, toDate(0) AS last_day
    FROM {facts_db}.user_records_first
    GROUP BY tenant, user_id
    UNION ALL
    SELECT 'usage' AS src, tenant, user_id, argMaxMerge(last_account) AS account_id, '' AS email, '' AS role, min(first_day) AS first_day, max(last_day) AS last_day
    FROM {facts_db}.user_seen
    GROUP BY tenant, user_id
)
GROUP BY tenant, user_id;

-- Every account the tenant knows (from account records, the hierarchy, users or usage), with its
-- current record, effective parent (the hierarchy's, which already refused cycles), first and last
-- day seen in usage and its product users (users whose current account it is).
CREATE VIEW IF NOT EXISTS {facts_db}.account_directory AS
SELECT
    tenant,
    account_id,
    anyIf(name, src = 'record') AS name,
    if(countIf(src = 'link') > 0, anyIf(parent_id, src = 'link'), anyIf(parent_id, src = 'record')) AS parent_id,
    anyIf(join_date, src = 'record') AS join_date,
    anyIf(renewal_date, src = 'record') AS renewal_date,
    anyIf(source, src = 'record') AS source,
    if(countIf(src = 'usage') > 0, minIf(first_day, src = 'usage'), NULL) AS first_seen,
    if(countIf(src = 'usage') > 0, maxIf(last_day, src = 'usage'), NULL) AS last_seen,
    countIf(src = 'user') AS product_users
FROM
(
    SELECT 'record' AS src, tenant, account_id, name, parent_id, join_date, renewal_date, source, toDate(0) AS first_day, toDate(0) AS last_day
    FROM {facts_db}.accounts_current
    UNION ALL
    SELECT 'link' AS src, tenant, account_id, '' AS name, parent_id, NULL AS join_date, NULL AS renewal_date, '' AS source, toDate(0) AS first_day, toDate(0) AS last_day
    FROM {facts_db}.account_hierarchy_current
    UNION ALL
    SELECT 'user' AS src, tenant, account_id, '' AS name, NULL AS parent_id, NULL AS join_date, NULL AS renewal_date, '' AS source, toDate(0) AS first_day, toDate(0) AS last_day
    FROM {facts_db}.user_directory
    UNION ALL
    SELECT 'usage' AS src, tenant, account_id, '' AS name, NULL AS parent_id, NULL AS join_date, NULL AS renewal_date, '' AS source, min(day) AS first_day, max(day) AS last_day
    FROM {facts_db}.account_activity_daily
    GROUP BY tenant, account_id
)
GROUP BY tenant, account_id;
