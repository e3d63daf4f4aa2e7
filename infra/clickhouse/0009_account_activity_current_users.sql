-- cs.account_activity: an account's activity is the activity of its current users.
--
-- CONTRACT §2: "Accounts likewise, over the accounts that have at least one user, with their own
-- users' time". An account's own users are the users whose current account it is (cs.users, the
-- user directory: the latest user record's account, else the latest usage event's). So an
-- account's activity as of as_of = the sum of cs.user_activity's activity_ms over those users:
-- each user's whole time over as_of−6 … as_of, whichever account its events named. 0005 summed
-- the time slices by the account on each event instead, which disagreed with cs.user_activity and
-- with the account list itself whenever a user moved accounts inside the window.

CREATE OR REPLACE VIEW {db}.account_activity AS
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
        SELECT known.account_id AS account_id, toUInt64(greatest(sum(spent.time_ms), 0)) AS activity_ms
        FROM known
        LEFT JOIN spent ON spent.user_id = known.user_id
        GROUP BY known.account_id
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
