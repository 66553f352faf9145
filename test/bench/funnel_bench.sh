#!/usr/bin/env bash
# test/bench/funnel_bench.sh — the funnel (funnel_agg + funnel_stages) and
# time in stage (stage_path + time_in_stage_agg + time_in_stage) against the
# same answers written by hand in plain SQL, and against a count(*) floor
# over the same rows.  One session, interleaved rounds (ABM_BENCH_ROUNDS,
# default 5), EXPLAIN (ANALYZE, TIMING OFF) "Execution Time", median and
# min .. max.  work_mem is ABM_BENCH_WORK_MEM (default 1GB, hash_mem_multiplier
# 2): enough that the 10,000,000-row sort of the lead() window and abm's hash
# aggregate over the accounts both stay in memory.
#
#  1. Funnel: ABM_BENCH_ROWS accounts (default 10,000,000), one row each: the
#     furthest lifecycle_stage (fewer accounts at each later step, about 5%
#     'churned' = known only as churned), a churned flag, 20 segments.
#     funnel_stages(funnel_agg(furthest, churned)) against the nine
#     count(*) FILTER (WHERE furthest >= step AND furthest <> 'churned') and
#     count(*) FILTER (WHERE churned OR furthest = 'churned') an analyst
#     writes (the conversions are then arithmetic on ten numbers);
#     count(*) is the floor.  Ungrouped and by segment.
#  2. Time in stage: a stage history of about ABM_BENCH_HISTORY_ROWS rows
#     (default 10,000,000; about 1.2M accounts, 1 .. 9 steps each and
#     'churned' after them for 5%),
#     (account_id, stage, entered_at date), stored in entered_at order as an
#     event log is.  stage_path per account (GROUP BY account_id) fed to
#     time_in_stage_agg and time_in_stage(), against lead() over each
#     account's history with percentile_cont(0.5) and avg() per stage;
#     count(*) is the floor.  Sub-steps (the grouping alone, stage_path
#     alone, the lead() window alone) are timed once each after the rounds,
#     for the diagnosis; they have no speed-up.
#     The lead() version is right only for monotone histories: each account
#     enters each stage at most once, in lifecycle order, entered_at never
#     decreasing along that order (ties allowed, broken by stage order).  The
#     data is generated that way (some steps skipped, 'churned' as a last
#     entry for some accounts).  abm's rule (time in s = first entry, at or
#     after the first entry into s, into any later stage, minus the first
#     entry into s) also handles repeated stages and moves back, where lead()
#     would time the wrong intervals and count an account twice.
#
# Before timing, the script checks that abm and the hand-written form agree
# (funnel: the reached counts of the nine steps and the churned count, exact,
# ungrouped and per segment; time in stage: entered, passed, median exact and
# mean within 1e-9 per stage) and stops if they do not.
#
#   bash test/bench/funnel_bench.sh      # as root
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-10000000}
hist_rows=${ABM_BENCH_HISTORY_ROWS:-10000000}
rounds=${ABM_BENCH_ROUNDS:-5}
work_mem=${ABM_BENCH_WORK_MEM:-1GB}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54346}
# entries per account of the history below: 9 - E[min(8, floor(Exp(1)))] = 8.42 steps,
# less the skipped middle steps (2% of about 6.4), plus 0.05 'churned'
accounts=$(( hist_rows * 100 / 834 ))

abm_pg_start "shared_buffers = '2GB'" "work_mem = '$work_mem'" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" "max_wal_size = '8GB'"
abm_log "loading $rows accounts at their furthest stage, a stage history of $accounts accounts (work_mem $work_mem)"
abm_psql -v rows="$rows" -v accounts="$accounts" <<'SQL'
CREATE EXTENSION abm VERSION '1.5';
SELECT setseed(0.46) \g /dev/null
-- furthest stage: 30% stop at target, 20% at aware, ... 2.5% reach advocate (of 95%),
-- 5% known only as churned; about 10% of the placed accounts churned later
CREATE TABLE t AS
SELECT floor(random() * 20)::int AS segment, furthest,
       furthest = 'churned' OR random() < 0.10 AS churned
FROM (SELECT (CASE WHEN x < 0.05 THEN 'churned'
                   WHEN x < 0.05 + 0.95 * 0.300 THEN 'target'
                   WHEN x < 0.05 + 0.95 * 0.500 THEN 'aware'
                   WHEN x < 0.05 + 0.95 * 0.640 THEN 'engaged'
                   WHEN x < 0.05 + 0.95 * 0.740 THEN 'opportunity'
                   WHEN x < 0.05 + 0.95 * 0.820 THEN 'onboarding'
                   WHEN x < 0.05 + 0.95 * 0.890 THEN 'active'
                   WHEN x < 0.05 + 0.95 * 0.940 THEN 'renewing'
                   WHEN x < 0.05 + 0.95 * 0.975 THEN 'expanding'
                   ELSE 'advocate' END)::lifecycle_stage AS furthest
      FROM (SELECT random() AS x FROM generate_series(1, :rows)) r) s;
-- stage history: k = 1 .. 9 steps entered in lifecycle order (target and the k-th
-- always, a middle step skipped 2% of the time), then 'churned' for 5% of the
-- accounts; the days in each stage are floor(Exp(mean of that stage)), so 0 (a tie:
-- two entries the same day) happens now and then
CREATE TABLE h AS
WITH a AS (
	SELECT g AS account_id, greatest(1, 9 - floor(-ln(1 - random())))::int AS k, random() < 0.05 AS churns,
	       date '2019-01-01' + floor(random() * 1800)::int AS start
	FROM generate_series(1, :accounts) g),
e AS (
	SELECT a.account_id, a.start, p,
	       CASE WHEN p > a.k THEN 9 ELSE p - 1 END AS pos,
	       -- days spent in the previous entry's stage
	       CASE WHEN p = 1 THEN 0
	            ELSE floor(-ln(1 - random()) * (ARRAY[14, 21, 35, 45, 30, 330, 25, 120, 200])[p - 1])::int END AS gap
	FROM a, generate_series(1, a.k + a.churns::int) p
	WHERE p = 1 OR p >= a.k OR random() >= 0.02)
SELECT account_id,
       (ARRAY['target', 'aware', 'engaged', 'opportunity', 'onboarding', 'active', 'renewing', 'expanding',
              'advocate', 'churned'])[pos + 1]::lifecycle_stage AS stage,
       start + (sum(gap) OVER (PARTITION BY account_id ORDER BY p))::int AS entered_at
FROM e
ORDER BY entered_at;
VACUUM ANALYZE t, h;
SQL

abm_psql -v rounds="$rounds" <<'SQL'
\pset footer off
CREATE FUNCTION pg_temp.check(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'FAIL: % disagree', what;
	END IF;
END $$;
SELECT current_setting('work_mem') AS work_mem, current_setting('hash_mem_multiplier') AS hash_mem_multiplier,
       current_setting('shared_buffers') AS shared_buffers,
       (SELECT count(*) FROM t) AS funnel_rows,
       (SELECT count(*) FROM h) AS history_rows, (SELECT count(DISTINCT account_id) FROM h) AS history_accounts,
       pg_size_pretty(pg_table_size('t')) AS funnel_table, pg_size_pretty(pg_table_size('h')) AS history_table;

-- the hand-written funnel: reached per step, then the churned
\set hand_counts 'count(*) FILTER (WHERE furthest >= ''target'' AND furthest <> ''churned'') AS target, count(*) FILTER (WHERE furthest >= ''aware'' AND furthest <> ''churned'') AS aware, count(*) FILTER (WHERE furthest >= ''engaged'' AND furthest <> ''churned'') AS engaged, count(*) FILTER (WHERE furthest >= ''opportunity'' AND furthest <> ''churned'') AS opportunity, count(*) FILTER (WHERE furthest >= ''onboarding'' AND furthest <> ''churned'') AS onboarding, count(*) FILTER (WHERE furthest >= ''active'' AND furthest <> ''churned'') AS active, count(*) FILTER (WHERE furthest >= ''renewing'' AND furthest <> ''churned'') AS renewing, count(*) FILTER (WHERE furthest >= ''expanding'' AND furthest <> ''churned'') AS expanding, count(*) FILTER (WHERE furthest >= ''advocate'' AND furthest <> ''churned'') AS advocate, count(*) FILTER (WHERE churned OR furthest = ''churned'') AS churned'
\set hand_list 'ARRAY[target, aware, engaged, opportunity, onboarding, active, renewing, expanding, advocate, churned]'
\set stage_list 'ARRAY[''target'', ''aware'', ''engaged'', ''opportunity'', ''onboarding'', ''active'', ''renewing'', ''expanding'', ''advocate'', ''churned'']::lifecycle_stage[]'
\set funnel_abm 'SELECT * FROM funnel_stages((SELECT funnel_agg(furthest, churned) FROM t))'
\set funnel_hand 'SELECT ' :hand_counts ' FROM t'
\set seg_abm 'SELECT x.segment, f.* FROM (SELECT segment, funnel_agg(furthest, churned) AS s FROM t GROUP BY segment) x, funnel_stages(x.s) f'
\set seg_hand 'SELECT segment, ' :hand_counts ' FROM t GROUP BY segment'
-- time in stage: abm, and lead() over each account's history (monotone histories only)
\set tis_abm 'SELECT * FROM time_in_stage((SELECT time_in_stage_agg(p) FROM (SELECT stage_path(stage, entered_at) AS p FROM h GROUP BY account_id) x))'
\set tis_hand 'WITH s AS (SELECT stage, lead(entered_at) OVER (PARTITION BY account_id ORDER BY entered_at, stage) - entered_at AS days FROM h) SELECT stage, count(*) AS entered, count(days) AS passed, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days, avg(days) AS mean_days FROM s WHERE stage <> ''churned'' GROUP BY stage'

\echo 'check: funnel_stages() reached and the hand-written count(*) FILTER, ungrouped (exact)'
CREATE TEMP TABLE funnel_check AS
SELECT stage, a.reached AS abm_reached, h.n AS hand_reached, a.stopped, round(a.conversion_from_previous::numeric, 4) AS conv_prev
FROM (:funnel_abm) a
FULL JOIN (SELECT stage, n FROM (:funnel_hand) y, unnest(:hand_list, :stage_list) AS u(n, stage)) h USING (stage)
ORDER BY stage;
TABLE funnel_check;
SELECT pg_temp.check(count(*) = 10 AND bool_and(abm_reached = hand_reached), 'funnel_stages() and count(*) FILTER')
FROM funnel_check \g /dev/null

\echo 'check: the same by segment (20 segments x 10 stages, exact)'
SELECT count(*) AS stage_rows, count(DISTINCT segment) AS segments,
       count(*) FILTER (WHERE a.reached IS DISTINCT FROM h.n) AS disagree
FROM (:seg_abm) a
FULL JOIN (SELECT segment, stage, n FROM (:seg_hand) y, unnest(:hand_list, :stage_list) AS u(n, stage)) h USING (segment, stage)
\gset
\echo '   stage rows' :stage_rows ', segments' :segments ', disagree' :disagree
SELECT pg_temp.check(:stage_rows = 200 AND :segments = 20 AND :disagree = 0, 'funnel_stages() and count(*) FILTER by segment') \g /dev/null

\echo 'check: time_in_stage() and the lead() window per stage (entered, passed, median exact, mean within 1e-9)'
CREATE TEMP TABLE tis_check AS
SELECT stage, a.entered AS abm_entered, h.entered AS hand_entered, a.passed AS abm_passed, h.passed AS hand_passed,
       a.median_days AS abm_median, h.median_days AS hand_median,
       round(a.mean_days::numeric, 9) AS abm_mean, round(h.mean_days, 9) AS hand_mean,
       abs(a.mean_days - h.mean_days::float8) AS mean_diff
FROM (:tis_abm) a FULL JOIN (:tis_hand) h USING (stage)
ORDER BY stage;
TABLE tis_check;
SELECT pg_temp.check(count(*) = 9 AND bool_and(abm_entered = hand_entered AND abm_passed = hand_passed
                     AND abm_median = hand_median AND mean_diff <= 1e-9 AND abm_passed > 0),
                     'time_in_stage() and the lead() window')
FROM tis_check \g /dev/null

CREATE TEMP TABLE query (id int PRIMARY KEY, name text, sql text);
INSERT INTO query VALUES
 (1, 'count(*), funnel table', 'SELECT count(*) FROM t'),
 (2, 'funnel_stages(funnel_agg(furthest, churned))', :'funnel_abm'),
 (3, 'hand-written count(*) FILTER x 10', :'funnel_hand'),
 (11, 'count(*), by segment', 'SELECT segment, count(*) FROM t GROUP BY segment'),
 (12, 'funnel_agg + funnel_stages, by segment', :'seg_abm'),
 (13, 'hand-written count(*) FILTER x 10, by segment', :'seg_hand'),
 (21, 'count(*), stage history', 'SELECT count(*) FROM h'),
 (22, 'stage_path + time_in_stage_agg + time_in_stage', :'tis_abm'),
 (23, 'hand-written lead() + percentile_cont + avg', :'tis_hand'),
 (24, '  sub-step, 1 run: GROUP BY account_id, count(*)', 'SELECT count(n) FROM (SELECT count(*) AS n FROM h GROUP BY account_id) x'),
 (25, '  sub-step, 1 run: stage_path per account', 'SELECT count(p) FROM (SELECT stage_path(stage, entered_at) AS p FROM h GROUP BY account_id) x'),
 (26, '  sub-step, 1 run: lead() window only', 'SELECT count(days) FROM (SELECT lead(entered_at) OVER (PARTITION BY account_id ORDER BY entered_at, stage) - entered_at AS days FROM h) s');
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q WHERE q.id < 24 ORDER BY r, q.id
\o /dev/null
\gexec
-- the sub-steps: one run each after the rounds (the data is warm by then)
SELECT format('SELECT pg_temp.bench_one(%s, 1)', id) FROM query WHERE id >= 24 ORDER BY id
\gexec
\o
SELECT current_setting('work_mem') AS work_mem \gset
\echo 'median of' :rounds 'rounds, work_mem' :work_mem '; vs_floor is the time over the floor (id 1, 11 or 21), "speed-up" the hand-written query''s time over abm''s'
WITH m AS (SELECT q.id, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms, min(t.ms) lo, max(t.ms) hi
           FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name)
SELECT name AS query, round(ms::numeric, 1) AS median_ms, round(lo::numeric, 1) || ' .. ' || round(hi::numeric, 1) AS "min .. max",
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id / 10 * 10 + 1), 'FM990.00') || 'x' AS vs_floor,
       CASE m.id % 10 WHEN 3 THEN to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id - 1), 'FM990.00') || 'x' END AS "speed-up"
FROM m ORDER BY id;
\echo 'time in stage plans, EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF), one more run each'
\pset format unaligned
\pset tuples_only on
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) :tis_abm;
\echo
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) :tis_hand;
SQL
