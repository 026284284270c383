-- The repeat-contact and call-back counts of cseval's metrics.json (`repeat`, docs/metrics.md,
-- Repeat contacts and Call-backs) written again in DuckDB SQL, from the definitions and not
-- from cseval's code, over the canonical CSV of `cseval sample` with the express-courier
-- contract: 24 h first-contact window across channels, 4 contacts in 7 days, 120 minutes,
-- 24 h call-back window, real-time channels phone (short abandon 5 s) and chat (10 s).
-- bench/compare.sh runs it once, untimed, and checks that the counts are cseval's.
-- Timestamps are naive Asia/Shanghai wall-clock times (no daylight saving), so differences
-- of epoch_ms() are true durations. A caller's contacts at the same instant keep the file's
-- order (`rn`, numbered on one thread).
SET enable_progress_bar = false;
SET threads TO 1;
CREATE TEMP TABLE raw AS
SELECT row_number() OVER () AS rn, *
FROM read_csv('CSV_PATH', header = true, timestampformat = '%Y-%m-%d %H:%M:%S',
              types = {'customer_phone': 'VARCHAR', 'customer_id': 'VARCHAR'});
SET threads TO 2;

-- The caller: the phone's digits, a 00 and an 86 before an eleven-digit mobile number and
-- leading zeros taken off; else the customer id.
CREATE TEMP TABLE calls AS
WITH d AS (
  SELECT *, regexp_replace(coalesce(customer_phone, ''), '[^0-9]', '', 'g') AS d0 FROM raw
), d1 AS (
  SELECT *, CASE WHEN starts_with(d0, '00') THEN d0[3:] ELSE d0 END AS d1 FROM d
), d2 AS (
  SELECT *, ltrim(CASE WHEN starts_with(d1, '86') AND length(d1) = 13 AND d1[3:3] = '1'
                       THEN d1[3:] ELSE d1 END, '0') AS phone FROM d1
)
SELECT rn,
       direction = 'outbound' AS outbound,
       CASE WHEN phone <> '' THEN 'p' || phone
            WHEN trim(coalesce(customer_id, '')) <> '' THEN 'i' || trim(customer_id) END AS caller,
       channel,
       agent_id,
       epoch_ms(arrived_at) AS ts,
       answered_at IS NOT NULL AS answered,
       arrived_at >= TIMESTAMP 'PERIOD_START' AND arrived_at < TIMESTAMP 'PERIOD_END' AS in_period,
       -- The caller stopped waiting: arrival plus wait.
       epoch_ms(arrived_at) + CAST(trunc(coalesce(wait_seconds, 0) * 1000) AS BIGINT) AS gone,
       coalesce(wait_seconds, (epoch_ms(resolved_at) - epoch_ms(arrived_at)) / 1000.0) AS waited,
       answered_at IS NOT NULL OR coalesce(handle_seconds, 0) > 0 AS through
FROM d2;

-- Inbound contacts with a caller, each with the caller's next contact.
CREATE TEMP TABLE inb AS
SELECT *, lead(ts) OVER (PARTITION BY caller ORDER BY ts, rn) AS next_ts
FROM calls WHERE NOT outbound AND caller IS NOT NULL;

-- Callers who reached an agent 4 times within 7 days.
CREATE TEMP TABLE repeaters AS
SELECT caller FROM (
  SELECT caller, ts, lead(ts, 3) OVER (PARTITION BY caller ORDER BY ts, rn) AS fourth
  FROM inb WHERE answered
) GROUP BY caller HAVING bool_or(fourth - ts <= 7 * 86400000);

COPY (
  WITH ends AS (SELECT max(ts) AS last_in FROM calls WHERE NOT outbound)
  SELECT count(*) AS answered,
         count(*) FILTER (WHERE next_ts IS NULL AND last_in - ts < 86400000) AS unfollowed,
         count(*) FILTER (WHERE next_ts - ts > 86400000
                             OR (next_ts IS NULL AND last_in - ts >= 86400000)) AS first_resolved,
         count(*) FILTER (WHERE caller IN (SELECT caller FROM repeaters)) AS repeat_callers_contacts,
         count(*) FILTER (WHERE next_ts - ts <= 120 * 60000) AS repeated_within
  FROM inb, ends WHERE answered AND in_period
) TO 'OUT_DIR/repeat.csv' (HEADER);

-- Repeats within 120 minutes charged to the agent of the earlier contact.
COPY (
  SELECT agent_id, count(*) AS answered,
         count(*) FILTER (WHERE next_ts - ts <= 120 * 60000) AS repeated_within
  FROM inb WHERE answered AND in_period AND coalesce(agent_id, '') <> ''
  GROUP BY agent_id ORDER BY agent_id
) TO 'OUT_DIR/repeat_agents.csv' (HEADER);

-- The period's offered contacts on the real-time channels (short abandons left out), and
-- for each abandoned one: its first call-back, whether the caller was reached (an answered
-- contact of their own, or a call-back that got through, within the window).
CREATE TEMP TABLE offered AS
SELECT * FROM inb
WHERE in_period AND channel IN ('phone', 'chat')
  AND (answered OR NOT coalesce(waited < CASE channel WHEN 'phone' THEN 5 ELSE 10 END, false));

CREATE TEMP TABLE fates AS
SELECT a.rn, a.ts, a.gone,
       (SELECT min(o.ts) FROM calls o WHERE o.outbound AND o.caller = a.caller
          AND o.ts > a.gone AND o.ts - a.gone <= 86400000) AS callback,
       EXISTS (SELECT 1 FROM calls o WHERE o.outbound AND o.through AND o.caller = a.caller
                 AND o.ts > a.gone AND o.ts - a.gone <= 86400000)
       OR EXISTS (SELECT 1 FROM inb i WHERE i.answered AND i.caller = a.caller
                    AND i.ts > a.ts AND i.ts - a.ts <= 86400000) AS reached
FROM offered a WHERE NOT a.answered;

COPY (
  WITH ends AS (SELECT max(ts) AS last FROM calls),
  f AS (SELECT *, reached OR last - ts >= 86400000 AS followed FROM fates, ends)
  SELECT (SELECT count(*) FROM offered) AS offered,
         count(*) AS abandoned,
         count(*) FILTER (WHERE NOT followed) AS unfollowed,
         count(*) FILTER (WHERE followed AND callback IS NOT NULL) AS called_back,
         count(*) FILTER (WHERE followed AND NOT reached) AS truly_abandoned,
         sum(callback - gone) FILTER (WHERE followed AND callback IS NOT NULL) AS delay_ms
  FROM f
) TO 'OUT_DIR/callbacks.csv' (HEADER);
