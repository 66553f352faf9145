#!/usr/bin/env bash
# test/bench/attribution_bench.sh — multi-touch attribution (attribute()) and
# account engagement (engagement_agg + engagement()) against the same answers
# written by hand in plain SQL, and against a floor that only reads the same
# rows.  One session, interleaved rounds (ABM_BENCH_ROUNDS, default 3, not
# 5: the whole run stays near 6 minutes on 2 cores), EXPLAIN (ANALYZE, TIMING
# OFF) "Execution Time", median and min .. max.  The checks below run every
# timed query except the floors just before the rounds, so round 0 (the
# warm-up, not kept) runs only the floors.  work_mem is ABM_BENCH_WORK_MEM
# (default 256MB, hash_mem_multiplier 2), the same for both sides: every sort
# of the reference (the 1.1M touches in the windows) stays in memory.  The
# plans are whatever the planner picks (printed at the end, as timed in
# round 1).  The reference's join is on a knife edge: a nested loop over the
# index or a hash join that reads all 10M touches, with close estimates, so
# the pick can change with the ANALYZE sample and work_mem; the nested loop
# (hash joins off) is timed once after the rounds too.  engagement_agg
# declares 4 kB of state per group, so at this work_mem the planner avoids a
# hash table over 200,000 accounts and reads the touches in account order
# from the index; the HashAggregate (index scans off) is timed once too.
#
# The data: ABM_BENCH_ROWS touches (default 10,000,000; touch_id, account_id
# over ABM_BENCH_ACCOUNTS accounts (default 200,000), campaign text (300
# campaigns), touch_type with a numeric weight (ad_click and email_open 1,
# webinar 3, meeting 10), touched_at over 2023-2024 at a quarter-hour, so a
# few touches of an account tie), stored in touched_at order as an event log
# is, indexed on (account_id, touched_at); ABM_BENCH_OPPORTUNITIES
# opportunities (default 200,000; account_id over 2% more accounts than have
# touches, created_at over 2023-01-01 .. 2025-01-30, amount numeric(12,2)).
#
#  1. Attribution: each opportunity's amount credited to its touches of the
#     90 days before created_at, per campaign: count(DISTINCT opportunity_id)
#     and sum(credit), the unattributed opportunities under a NULL campaign.
#     abm: two ordered array_agg per opportunity (LATERAL, on the index) fed
#     to attribute(model, amount, created_at, campaigns, times).  The
#     reference: the opportunities joined to the touches in their window,
#     row_number() and count(*) over each opportunity, the credit in cents
#     (linear: floor(units / n), the units % n left over one each to the
#     earliest touches; u_shaped: integer weights 2(n-2), 1 .., 2(n-2) over
#     5(n-2), floor(units x w / W), the leftover one each by the largest
#     remainder, earlier touch first, with a second row_number()), plus the
#     opportunities with no touch (NOT EXISTS).  Floor: count(*) of the
#     touches in the windows (the join alone, from the index only; with
#     count(campaign) the planner hashes all the touches and takes longer
#     than the queries).  A sub-step, timed once after the rounds: the
#     array_agg pair alone.  The floor of the issue: abm at least 3x faster
#     than the reference.
#  2. Engagement as of 2025-01-01 (after every touch), half-life 30 days, per
#     account and ungrouped: engagement(engagement_agg(weight,
#     touched_at::date), as_of) against sum(weight::float8 *
#     power(2.0::float8, -(as_of - touched_at::date) / 30.0::float8)) and the
#     numeric sum(weight * power(2, -(as_of - touched_at::date) / 30.0)).
#     The numeric form takes over a minute: it is timed in one run per
#     account after the rounds (ABM_BENCH_NUMERIC=0 leaves it out), not
#     ungrouped.  Floor: count(*).  The floor of the issue: abm faster than
#     the faster hand-written form.
#
# Before timing, the script checks that abm and the reference agree and stops
# if they do not: attribution per campaign (count and sum, exact, NULL
# campaign included; the credits add up to the amounts) for both models, and
# per (opportunity, touch position) on every tenth opportunity (touch,
# credit, exact); engagement per account and ungrouped within 1e-9 relative
# of the float8 form, per account within 1e-9 of the numeric form on every
# hundredth account.
#
#   bash test/bench/attribution_bench.sh      # as root; its own cluster on ABM_PGPORT (default 54347)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-10000000}
accounts=${ABM_BENCH_ACCOUNTS:-200000}
opportunities=${ABM_BENCH_OPPORTUNITIES:-200000}
rounds=${ABM_BENCH_ROUNDS:-3}
work_mem=${ABM_BENCH_WORK_MEM:-256MB}
numeric=${ABM_BENCH_NUMERIC:-1}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54347}

abm_pg_start "shared_buffers = '2GB'" "work_mem = '$work_mem'" "hash_mem_multiplier = 2" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" "max_wal_size = '8GB'"
abm_log "loading $rows touches over $accounts accounts, $opportunities opportunities (work_mem $work_mem)"
abm_psql -v rows="$rows" -v accounts="$accounts" -v opportunities="$opportunities" <<'SQL'
CREATE EXTENSION abm VERSION '1.6';
SELECT setseed(0.61) \g /dev/null
-- touches: 60% ad clicks, 25% email opens, 12% webinars, 3% meetings; a quarter-hour
-- resolution, so now and then two touches of an account tie (broken by touch_id)
CREATE TABLE touches AS
SELECT g::bigint AS touch_id, account_id, 'campaign_' || lpad(c::text, 3, '0') AS campaign,
       (ARRAY['ad_click', 'email_open', 'webinar', 'meeting'])[k] AS touch_type,
       (ARRAY[1, 1, 3, 10])[k]::numeric AS weight, touched_at
FROM (SELECT g, 1 + floor(random() * :accounts)::int AS account_id, 1 + floor(random() * 300)::int AS c,
             CASE WHEN r < 0.60 THEN 1 WHEN r < 0.85 THEN 2 WHEN r < 0.97 THEN 3 ELSE 4 END AS k,
             timestamptz '2023-01-01 00:00:00+00' + floor(random() * 730 * 96) * interval '15 minutes' AS touched_at
      FROM (SELECT g, random() AS r FROM generate_series(1, :rows) g) x) y
ORDER BY touched_at;
CREATE INDEX ON touches (account_id, touched_at, touch_id);
-- opportunities: 2% on accounts without a touch; created in the first 90 days of the
-- touches (part of a window) or in January 2025 (no touch after 2024) now and then
CREATE TABLE opportunities AS
SELECT g AS opportunity_id, 1 + floor(random() * :accounts * 1.02)::int AS account_id,
       timestamptz '2023-01-01 00:00:00+00' + floor(random() * 760 * 86400) * interval '1 second' AS created_at,
       round((500 + random() * 99500)::numeric, 2)::numeric(12, 2) AS amount
FROM generate_series(1, :opportunities) g;
VACUUM ANALYZE touches, opportunities;
SQL

abm_psql -v rounds="$rounds" -v numeric="$numeric" <<'SQL'
\pset footer off
CREATE FUNCTION pg_temp.check(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'FAIL: % disagree', what;
	END IF;
END $$;

-- the touches of an opportunity: its account's, in the 90 days before it was created
\set win 't.account_id = o.account_id AND t.touched_at < o.created_at AND t.touched_at >= o.created_at - interval ''90 days'''
\set as_of 'date ''2025-01-01'''

SELECT current_setting('work_mem') AS work_mem, current_setting('hash_mem_multiplier') AS hash_mem_multiplier,
       current_setting('shared_buffers') AS shared_buffers,
       (SELECT count(*) FROM touches) AS touches, (SELECT count(DISTINCT account_id) FROM touches) AS touch_accounts,
       (SELECT count(*) FROM opportunities) AS opportunities,
       pg_size_pretty(pg_table_size('touches')) AS touch_table, pg_size_pretty(pg_indexes_size('touches')) AS touch_index;
SELECT count(*) AS opportunities, count(*) FILTER (WHERE n = 0) AS without_touch, sum(n) AS touches_in_windows,
       round(avg(n), 2) AS avg_touches, max(n) AS max_touches, sum(ties) AS tied_touch_pairs
FROM (SELECT o.opportunity_id, count(t.touch_id) AS n, count(t.touch_id) - count(DISTINCT t.touched_at) AS ties
      FROM opportunities o LEFT JOIN touches t ON :win GROUP BY o.opportunity_id) x;

-- row-level forms: (opportunity_id, position, campaign, credit); OPPS is the opportunities
-- (or the sample checked row by row), MODEL the model
-- the same arrays without ORDER BY: attribute() sorts by time, ties kept in array order,
-- which is the index's (account_id, touched_at, touch_id) when the plan reads the index
\set abm_idx_tpl 'SELECT o.opportunity_id, a.touch_position AS position, a.touch AS campaign, a.credit FROM OPPS o, LATERAL (SELECT array_agg(t.campaign) AS c, array_agg(t.touched_at) AS ts FROM touches t WHERE ' :win ') x, LATERAL attribute(''MODEL'', o.amount, o.created_at, x.c, x.ts) a'
\set abm_tpl 'SELECT o.opportunity_id, a.touch_position AS position, a.touch AS campaign, a.credit FROM OPPS o, LATERAL (SELECT array_agg(t.campaign ORDER BY t.touched_at, t.touch_id) AS c, array_agg(t.touched_at ORDER BY t.touched_at, t.touch_id) AS ts FROM touches t WHERE ' :win ') x, LATERAL attribute(''MODEL'', o.amount, o.created_at, x.c, x.ts) a'
\set touched 'SELECT o.opportunity_id, t.campaign, (o.amount * 100)::bigint AS units, row_number() OVER (PARTITION BY o.opportunity_id ORDER BY t.touched_at, t.touch_id) AS rn, count(*) OVER (PARTITION BY o.opportunity_id) AS n FROM OPPS o JOIN touches t ON ' :win
\set untouched 'SELECT o.opportunity_id, NULL::int, NULL::text, o.amount FROM OPPS o WHERE NOT EXISTS (SELECT FROM touches t WHERE ' :win ')'
-- linear: all remainders equal, so the units % n left over go to the earliest touches
\set lin_tpl 'WITH j AS (' :touched ') SELECT opportunity_id, rn::int AS position, campaign, (units / n + (rn <= units % n)::int) * 0.01 AS credit FROM j UNION ALL ' :untouched
-- u_shaped: weights 2(n-2) first and last, 1 between, over 5(n-2) (1 each for one or two
-- touches); floor(units x w / W), then the leftover units one each by largest remainder
\set u_tpl 'WITH j AS (' :touched '), q AS (SELECT opportunity_id, campaign, rn, units, units * w / wt AS q, units * w % wt AS r FROM (SELECT j.*, CASE WHEN n <= 2 OR rn NOT IN (1, n) THEN 1 ELSE 2 * (n - 2) END AS w, CASE WHEN n <= 2 THEN n ELSE 5 * (n - 2) END AS wt FROM j) x), l AS (SELECT q.*, units - (sum(q) OVER (PARTITION BY opportunity_id))::bigint AS leftover, row_number() OVER (PARTITION BY opportunity_id ORDER BY r DESC, rn) AS k FROM q) SELECT opportunity_id, rn::int AS position, campaign, (q + (k <= leftover)::int) * 0.01 AS credit FROM l UNION ALL ' :untouched
\set per_campaign_a 'SELECT campaign, count(DISTINCT opportunity_id) AS opportunities, sum(credit) AS credit FROM ('
\set per_campaign_b ') r GROUP BY 1'
SELECT :'per_campaign_a' || replace(replace(:'abm_tpl', 'OPPS', 'opportunities'), 'MODEL', 'linear') || :'per_campaign_b' AS abm_lin,
       :'per_campaign_a' || replace(:'lin_tpl', 'OPPS', 'opportunities') || :'per_campaign_b' AS hand_lin,
       :'per_campaign_a' || replace(replace(:'abm_tpl', 'OPPS', 'opportunities'), 'MODEL', 'u_shaped') || :'per_campaign_b' AS abm_u,
       :'per_campaign_a' || replace(:'u_tpl', 'OPPS', 'opportunities') || :'per_campaign_b' AS hand_u,
       :'per_campaign_a' || replace(replace(:'abm_idx_tpl', 'OPPS', 'opportunities'), 'MODEL', 'linear') || :'per_campaign_b' AS abm_idx_lin,
       replace(replace(:'abm_tpl', 'OPPS', 'opp_sample'), 'MODEL', 'linear') AS abm_lin_rows,
       replace(:'lin_tpl', 'OPPS', 'opp_sample') AS hand_lin_rows,
       replace(replace(:'abm_tpl', 'OPPS', 'opp_sample'), 'MODEL', 'u_shaped') AS abm_u_rows,
       replace(:'u_tpl', 'OPPS', 'opp_sample') AS hand_u_rows
\gset
\set eng_abm 'SELECT account_id, engagement(engagement_agg(weight, touched_at::date), ' :as_of ') AS e FROM touches GROUP BY account_id'
\set eng_float 'SELECT account_id, sum(weight::float8 * power(2.0::float8, -(' :as_of ' - touched_at::date) / 30.0::float8)) AS e FROM touches GROUP BY account_id'
\set eng_numeric 'SELECT account_id, sum(weight * power(2, -(' :as_of ' - touched_at::date) / 30.0)) AS e FROM touches GROUP BY account_id'
\set all_abm 'SELECT engagement(engagement_agg(weight, touched_at::date), ' :as_of ') AS e FROM touches'
\set eng_asof 'SELECT account_id, engagement_as_of(weight, touched_at::date, ' :as_of ') AS e FROM touches GROUP BY account_id'
\set all_asof 'SELECT engagement_as_of(weight, touched_at::date, ' :as_of ') AS e FROM touches'
\set all_float 'SELECT sum(weight::float8 * power(2.0::float8, -(' :as_of ' - touched_at::date) / 30.0::float8)) AS e FROM touches'

CREATE TEMP TABLE opp_sample AS SELECT * FROM opportunities WHERE opportunity_id % 10 = 0;
CREATE TEMP TABLE attr_check (model text, only_abm bigint, only_hand bigint, campaigns bigint, unattributed bigint,
                              expected_unattributed bigint, abm_total numeric, hand_total numeric, amounts numeric,
                              sample_rows bigint, sample_only_abm bigint, sample_only_hand bigint);
\echo 'check: attribute(''linear'') and the reference per campaign (count, sum; exact), and per (opportunity, position) on every tenth opportunity'
CREATE TEMP TABLE a AS :abm_lin;
CREATE TEMP TABLE h AS :hand_lin;
CREATE TEMP TABLE ar AS :abm_lin_rows;
CREATE TEMP TABLE hr AS :hand_lin_rows;
INSERT INTO attr_check SELECT 'linear',
	(SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE h) d), (SELECT count(*) FROM (TABLE h EXCEPT ALL TABLE a) d),
	(SELECT count(campaign) FROM a), (SELECT opportunities FROM a WHERE campaign IS NULL),
	(SELECT count(*) FROM opportunities o WHERE NOT EXISTS (SELECT FROM touches t WHERE :win)),
	(SELECT sum(credit) FROM a), (SELECT sum(credit) FROM h), (SELECT sum(amount) FROM opportunities),
	(SELECT count(*) FROM ar), (SELECT count(*) FROM (TABLE ar EXCEPT ALL TABLE hr) d), (SELECT count(*) FROM (TABLE hr EXCEPT ALL TABLE ar) d);
DROP TABLE a, h, ar, hr;
\echo 'check: attribute(''u_shaped'') and the reference, the same'
CREATE TEMP TABLE a AS :abm_u;
CREATE TEMP TABLE h AS :hand_u;
CREATE TEMP TABLE ar AS :abm_u_rows;
CREATE TEMP TABLE hr AS :hand_u_rows;
INSERT INTO attr_check SELECT 'u_shaped',
	(SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE h) d), (SELECT count(*) FROM (TABLE h EXCEPT ALL TABLE a) d),
	(SELECT count(campaign) FROM a), (SELECT opportunities FROM a WHERE campaign IS NULL),
	(SELECT count(*) FROM opportunities o WHERE NOT EXISTS (SELECT FROM touches t WHERE :win)),
	(SELECT sum(credit) FROM a), (SELECT sum(credit) FROM h), (SELECT sum(amount) FROM opportunities),
	(SELECT count(*) FROM ar), (SELECT count(*) FROM (TABLE ar EXCEPT ALL TABLE hr) d), (SELECT count(*) FROM (TABLE hr EXCEPT ALL TABLE ar) d);
-- leftover cents split by remainder in the u_shaped sample: three credits or more in an
-- opportunity (first and last a cent apart, or the middle ones), else the check is weak
SELECT count(*) AS u_split_sample_opportunities FROM (
	SELECT opportunity_id FROM ar GROUP BY opportunity_id HAVING count(DISTINCT credit) > 2) x \gset
DROP TABLE a, h, ar, hr;
\echo 'check: the arrays in index order (no ORDER BY) give the reference''s linear credits per campaign (exact)'
CREATE TEMP TABLE a AS :abm_idx_lin;
CREATE TEMP TABLE h AS :hand_lin;
SELECT (SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE h) d) + (SELECT count(*) FROM (TABLE h EXCEPT ALL TABLE a) d) AS idx_differ,
       (SELECT count(*) FROM a) AS idx_campaigns \gset
DROP TABLE a, h;
\echo '   campaigns' :idx_campaigns ', rows that differ' :idx_differ
SELECT pg_temp.check(:idx_differ = 0 AND :idx_campaigns > 0, 'attribute() over arrays in index order and the reference') \g /dev/null
TABLE attr_check;
\echo '   u_shaped sample opportunities with three credits or more (leftover cents split):' :u_split_sample_opportunities
SELECT pg_temp.check(count(*) = 2 AND bool_and(only_abm = 0 AND only_hand = 0 AND campaigns > 0
                     AND unattributed = expected_unattributed AND unattributed > 0
                     AND abm_total = amounts AND hand_total = amounts
                     AND sample_rows > 0 AND sample_only_abm = 0 AND sample_only_hand = 0)
                     AND :u_split_sample_opportunities > 0,
                     'attribute() and the reference')
FROM attr_check \g /dev/null

\echo 'check: engagement(engagement_agg(..)) and the float8 sum of weight x power(2, -age / 30) per account (1e-9 relative)'
SELECT count(*) AS accounts, count(*) FILTER (WHERE a.e IS NULL OR h.e IS NULL) AS missing,
       count(*) FILTER (WHERE NOT abs(a.e - h.e) <= 1e-9 * abs(h.e)) AS disagree,
       max(abs(a.e - h.e) / abs(h.e)) AS max_rel_diff, round(avg(h.e)::numeric, 3) AS mean_engagement
FROM (:eng_abm) a FULL JOIN (:eng_float) h USING (account_id)
\gset
\echo '   accounts' :accounts ', missing' :missing ', disagree' :disagree ', max relative difference' :max_rel_diff ', mean engagement' :mean_engagement
SELECT pg_temp.check(:accounts > 0 AND :missing = 0 AND :disagree = 0, 'engagement() and the float8 form per account') \g /dev/null

\echo 'check: engagement_as_of(..) and the float8 form per account (1e-9 relative)'
SELECT count(*) AS accounts, count(*) FILTER (WHERE a.e IS NULL OR h.e IS NULL) AS missing,
       count(*) FILTER (WHERE NOT abs(a.e - h.e) <= 1e-9 * abs(h.e)) AS disagree,
       max(abs(a.e - h.e) / abs(h.e)) AS max_rel_diff
FROM (:eng_asof) a FULL JOIN (:eng_float) h USING (account_id)
\gset
\echo '   accounts' :accounts ', missing' :missing ', disagree' :disagree ', max relative difference' :max_rel_diff
SELECT pg_temp.check(:accounts > 0 AND :missing = 0 AND :disagree = 0, 'engagement_as_of() and the float8 form per account') \g /dev/null
SELECT a.e AS asof_all, h.e AS float_all FROM (:all_asof) a, (:all_float) h \gset
SELECT pg_temp.check(abs(:asof_all - :float_all) <= 1e-9 * abs(:float_all), 'engagement_as_of() and the float8 form ungrouped') \g /dev/null

\echo 'check: the same against the numeric power() form on every hundredth account'
SELECT count(*) AS accounts, count(*) FILTER (WHERE a.e IS NULL OR h.e IS NULL) AS missing,
       count(*) FILTER (WHERE NOT abs(a.e - h.e::float8) <= 1e-9 * abs(h.e::float8)) AS disagree,
       max(abs(a.e - h.e::float8) / abs(h.e::float8)) AS max_rel_diff
FROM (SELECT * FROM (:eng_abm) x WHERE account_id % 100 = 0) a
FULL JOIN (SELECT * FROM (:eng_numeric) x WHERE account_id % 100 = 0) h USING (account_id)
\gset
\echo '   accounts' :accounts ', missing' :missing ', disagree' :disagree ', max relative difference' :max_rel_diff
SELECT pg_temp.check(:accounts > 0 AND :missing = 0 AND :disagree = 0, 'engagement() and the numeric form per account') \g /dev/null

\echo 'check: ungrouped (one state over every touch) against the float8 form (1e-9 relative)'
SELECT a.e AS abm, h.e AS float8_form, abs(a.e - h.e) / abs(h.e) AS rel_diff FROM (:all_abm) a, (:all_float) h \gset
\echo '   abm' :abm ', float8 form' :float8_form ', relative difference' :rel_diff
SELECT pg_temp.check(:rel_diff <= 1e-9, 'engagement() and the float8 form ungrouped') \g /dev/null

-- vs: the abm query a reference is compared with; once: timed in one run after the rounds,
-- under setting (a planner switch, for the diagnosis) if there is one
CREATE TEMP TABLE query (id int PRIMARY KEY, name text, sql text, vs int, once boolean, setting text);
INSERT INTO query VALUES
 (1, 'join only: count(*) of the touches in the windows', 'SELECT count(*) FROM opportunities o JOIN touches t ON ' || :'win', NULL, false, NULL),
 (2, 'array_agg x 2 + attribute(''linear''), per campaign', :'abm_lin', NULL, false, NULL),
 (3, 'reference row_number + count + cents, linear', :'hand_lin', 2, false, NULL),
 (4, 'array_agg x 2 + attribute(''u_shaped''), per campaign', :'abm_u', NULL, false, NULL),
 (5, 'reference + largest remainder, u_shaped', :'hand_u', 4, false, NULL),
 (6, '  sub-step, 1 run: the array_agg pair alone', 'SELECT count(x.c) FROM opportunities o, LATERAL (SELECT array_agg(t.campaign ORDER BY t.touched_at, t.touch_id) AS c, array_agg(t.touched_at ORDER BY t.touched_at, t.touch_id) AS ts FROM touches t WHERE ' || :'win' || ') x', NULL, true, NULL),
 (7, '  1 run, hash joins off: reference, linear', :'hand_lin', 2, true, 'enable_hashjoin'),
 (8, 'arrays in index order (no ORDER BY) + attribute(''linear''), per campaign', :'abm_idx_lin', NULL, false, NULL),
 (9, 'shared by both: the join and the per-campaign count(DISTINCT), no credit', 'SELECT t.campaign, count(DISTINCT o.opportunity_id), count(*) FROM opportunities o JOIN touches t ON ' || :'win' || ' GROUP BY 1', NULL, false, NULL),
 (10, '  1 run, hash joins off: the shared part', 'SELECT t.campaign, count(DISTINCT o.opportunity_id), count(*) FROM opportunities o JOIN touches t ON ' || :'win' || ' GROUP BY 1', NULL, true, 'enable_hashjoin'),
 (11, 'count(*) by account', 'SELECT account_id, count(*) FROM touches GROUP BY account_id', NULL, false, NULL),
 (12, 'engagement(engagement_agg(..)) by account', :'eng_abm', NULL, false, NULL),
 (13, 'sum(weight::float8 * power(2.0, ..)) by account', :'eng_float', 12, false, NULL),
 (14, 'sum(weight * power(2, ..)) numeric, by account, 1 run', :'eng_numeric', 12, true, NULL),
 (15, '  1 run, index scans off: engagement(engagement_agg(..)) by account', :'eng_abm', NULL, true, 'enable_indexscan'),
 (16, 'engagement_as_of(weight, day, as_of) by account', :'eng_asof', NULL, false, NULL),
 (21, 'count(*), ungrouped', 'SELECT count(*) FROM touches', NULL, false, NULL),
 (22, 'engagement(engagement_agg(..)), ungrouped', :'all_abm', NULL, false, NULL),
 (23, 'sum(weight::float8 * power(2.0, ..)), ungrouped', :'all_float', 22, false, NULL),
 (24, 'engagement_as_of(weight, day, as_of), ungrouped', :'all_asof', NULL, false, NULL);
DELETE FROM query WHERE id = 14 AND :numeric = 0;
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q WHERE NOT q.once AND (r > 0 OR q.id % 10 = 1) ORDER BY r, q.id
\o /dev/null
\gexec
-- the one-run queries after the rounds (the data is warm by then)
SELECT 'SET ' || setting || ' = off', format('SELECT pg_temp.bench_one(%s, 1)', id), 'RESET ' || setting
FROM query WHERE once ORDER BY id
\gexec
\o
SELECT current_setting('work_mem') AS work_mem \gset
\echo 'median of' :rounds 'rounds, work_mem' :work_mem '; vs_floor is the time over the floor (id 1, 11 or 21), "speed-up" the reference''s time over abm''s'
CREATE TEMP TABLE m AS
SELECT q.id, q.name, q.vs, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms, min(t.ms) lo, max(t.ms) hi
FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name, q.vs;
SELECT name AS query, round(ms::numeric, 1) AS median_ms, round(lo::numeric, 1) || ' .. ' || round(hi::numeric, 1) AS "min .. max",
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id / 10 * 10 + 1), 'FM990.00') || 'x' AS vs_floor,
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.vs), 'FM990.00') || 'x' AS "speed-up"
FROM m ORDER BY id;
\echo 'the floors of the issue (speed-up = the reference''s median over abm''s; engagement: the faster hand-written form)'
SELECT what, to_char(speed_up, 'FM990.00') || 'x' AS "speed-up", to_char(target, 'FM990.00') || 'x' AS "at least",
       CASE WHEN speed_up >= target THEN 'met' WHEN speed_up < target THEN 'NOT MET' ELSE 'not measured' END AS verdict
FROM (SELECT 'attribution, linear' AS what, (SELECT ms FROM m WHERE id = 3) / (SELECT ms FROM m WHERE id = 2) AS speed_up, 3.0 AS target, 1 AS o
      UNION ALL SELECT '  the same, arrays in index order (no ORDER BY)', (SELECT ms FROM m WHERE id = 3) / (SELECT ms FROM m WHERE id = 8), 3.0, 1.5
      UNION ALL SELECT '  the most any method can gain: the reference over the part both share, same plan (9)', (SELECT ms FROM m WHERE id = 3) / (SELECT ms FROM m WHERE id = 9), 3.0, 1.6
      UNION ALL SELECT '  the same, both with hash joins off (7 over 10, 1 run each)', (SELECT ms FROM m WHERE id = 7) / (SELECT ms FROM m WHERE id = 10), 3.0, 1.65
      UNION ALL SELECT '  the credit step alone, nested loops: (7 - 10) over (8 - 10)', ((SELECT ms FROM m WHERE id = 7) - (SELECT ms FROM m WHERE id = 10)) / nullif((SELECT ms FROM m WHERE id = 8) - (SELECT ms FROM m WHERE id = 10), 0), 3.0, 1.7
      UNION ALL SELECT '  the same, reference with hash joins off (1 run)', (SELECT ms FROM m WHERE id = 7) / (SELECT ms FROM m WHERE id = 2), 3.0, 2
      UNION ALL SELECT 'attribution, u_shaped', (SELECT ms FROM m WHERE id = 5) / (SELECT ms FROM m WHERE id = 4), 3.0, 3
      UNION ALL SELECT 'engagement, by account', (SELECT min(ms) FROM m WHERE id IN (13, 14)) / (SELECT ms FROM m WHERE id = 12), 1.0, 4
      UNION ALL SELECT '  the same, abm with index scans off (1 run)', (SELECT min(ms) FROM m WHERE id IN (13, 14)) / (SELECT ms FROM m WHERE id = 15), 1.0, 5
      UNION ALL SELECT 'engagement, ungrouped', (SELECT ms FROM m WHERE id = 23) / (SELECT ms FROM m WHERE id = 22), 1.0, 6
      UNION ALL SELECT 'engagement_as_of, by account', (SELECT min(ms) FROM m WHERE id IN (13, 14)) / (SELECT ms FROM m WHERE id = 16), 1.0, 7
      UNION ALL SELECT 'engagement_as_of, ungrouped', (SELECT ms FROM m WHERE id = 23) / (SELECT ms FROM m WHERE id = 24), 1.0, 8) f
ORDER BY o;

-- the plans as timed in round 1, the top lines in EXPLAIN's text form
CREATE FUNCTION pg_temp.plan_lines(p json, depth int DEFAULT 0) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	c json;
	pad text := repeat('      ', greatest(depth - 1, 0)) || CASE WHEN depth > 0 THEN '  ->  ' ELSE '' END;
	detail text := repeat('      ', greatest(depth - 1, 0)) || CASE WHEN depth > 0 THEN '        ' ELSE '  ' END;
	k text;
BEGIN
	RETURN NEXT pad || CASE p->>'Node Type'
		WHEN 'Aggregate' THEN CASE p->>'Strategy' WHEN 'Hashed' THEN 'HashAggregate' WHEN 'Sorted' THEN 'GroupAggregate'
		                      WHEN 'Mixed' THEN 'MixedAggregate' ELSE 'Aggregate' END
		ELSE p->>'Node Type' END
		|| CASE WHEN p->>'Join Type' IS NOT NULL AND p->>'Join Type' <> 'Inner' THEN ' ' || (p->>'Join Type') || ' Join' ELSE '' END
		|| coalesce(' using ' || (p->>'Index Name'), '')
		|| coalesce(' on ' || coalesce(p->>'Relation Name', p->>'Function Name')
		            || coalesce(' ' || nullif(p->>'Alias', coalesce(p->>'Relation Name', p->>'Function Name')), ''),
		            ' on ' || (p->>'Alias'), '')
		|| format(' (actual rows=%s loops=%s)', round((p->>'Actual Rows')::numeric), p->>'Actual Loops');
	FOREACH k IN ARRAY ARRAY['Group Key', 'Sort Key', 'Hash Cond', 'Index Cond', 'Join Filter', 'Filter'] LOOP
		IF p->k IS NOT NULL THEN
			RETURN NEXT detail || k || ': ' || CASE json_typeof(p->k) WHEN 'array'
				THEN (SELECT string_agg(x, ', ') FROM json_array_elements_text(p->k) x) ELSE p->>k END;
		END IF;
	END LOOP;
	IF p->>'Sort Method' IS NOT NULL THEN
		RETURN NEXT detail || format('Sort Method: %s  %s: %skB', p->>'Sort Method', p->>'Sort Space Type', p->>'Sort Space Used');
	END IF;
	IF p->>'HashAgg Batches' IS NOT NULL THEN
		RETURN NEXT detail || format('Batches: %s  Memory Usage: %skB', p->>'HashAgg Batches', p->>'Peak Memory Usage')
			|| CASE WHEN (p->>'Disk Usage')::bigint > 0 THEN format('  Disk Usage: %skB', p->>'Disk Usage') ELSE '' END;
	END IF;
	IF p->>'Hash Batches' IS NOT NULL THEN
		RETURN NEXT detail || format('Buckets: %s  Batches: %s  Memory Usage: %skB', p->>'Hash Buckets', p->>'Hash Batches', p->>'Peak Memory Usage');
	END IF;
	FOR c IN SELECT json_array_elements(p->'Plans') LOOP
		RETURN QUERY SELECT * FROM pg_temp.plan_lines(c, depth + 1);
	END LOOP;
END $$;
\echo 'plans as timed in round 1 (EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON), shown as text)'
\pset format unaligned
\pset tuples_only on
SELECT btrim(q.name) || ':' || E'\n' || string_agg(l.line, E'\n' ORDER BY l.i) || E'\n'
FROM query q JOIN timing t ON t.id = q.id AND t.round = 1,
     LATERAL pg_temp.plan_lines(t.plan -> 0 -> 'Plan') WITH ORDINALITY l(line, i)
WHERE q.id IN (2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 14, 15, 16, 22, 23, 24) GROUP BY q.id, q.name ORDER BY q.id;
SQL
