#!/usr/bin/env bash
# test/bench/health_bench.sh — account_health() and match_advocates() against
# the same answers written by hand in plain SQL, and against a one-pass sum()
# floor over the same rows.  One session, interleaved rounds
# (ABM_BENCH_ROUNDS, default 5), EXPLAIN (ANALYZE, TIMING OFF) "Execution
# Time", median and min .. max.
#
#  1. Health score: ABM_BENCH_ROWS accounts (default 1,000,000) with the seven
#     signals as double precision, about 5% NULL each.  sum(account_health(...))
#     with the default weights against the hand-written CASE/coalesce
#     arithmetic (weighted levels over the weights of the signals present,
#     NULLIF for none); sum(coalesce(usage, 0)) is the floor.
#  2. Advocate matching: ABM_BENCH_ADVOCATE_ROWS accounts (default 100,000) in
#     20 segments.  Two ordered array_agg per segment fed to
#     match_advocates(at_risk, advocates, 3), against row_number() per segment
#     on both sides and a LEFT JOIN LATERAL on advocate rank = (rn - 1) / 3 + 1;
#     sum(health) is the floor.
#
# Before timing, the script checks that abm and the hand-written form agree
# on every row (health: within 1e-9, NULL alike; advocates: the same
# (account, advocate) pairs, EXCEPT both ways) and stops if they do not.
#
#   bash test/bench/health_bench.sh      # as root
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-1000000}
adv_rows=${ABM_BENCH_ADVOCATE_ROWS:-100000}
rounds=${ABM_BENCH_ROUNDS:-5}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54345}

abm_pg_start "shared_buffers = '1GB'" "work_mem = '64MB'" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" "max_wal_size = '8GB'"
abm_log "loading $rows accounts with health signals, $adv_rows accounts for advocate matching"
abm_psql -v rows="$rows" -v adv_rows="$adv_rows" <<'SQL'
CREATE EXTENSION abm VERSION '1.5';
SELECT setseed(0.57) \g /dev/null
-- each signal in its range, NULL about 5% of the time
CREATE TABLE signals AS
SELECT g AS account_id,
       CASE WHEN random() >= 0.05 THEN random() END AS usage,                                  -- 0..1
       CASE WHEN random() >= 0.05 THEN round((random() * 200 - 100)::numeric, 1)::float8 END AS nps, -- -100..100
       CASE WHEN random() >= 0.05 THEN random() * 100 END AS engagement,                       -- 0..100
       CASE WHEN random() >= 0.05 THEN (random() * 10)::int::float8 END AS relationship,       -- 0..10
       CASE WHEN random() >= 0.05 THEN random() * 100 END AS competitor_intent,                -- 0..100
       CASE WHEN random() >= 0.05 THEN floor(-ln(1 - random()) * 4) END AS support_load,       -- tickets, 0..
       CASE WHEN random() >= 0.05 THEN floor(random() * 730) END AS days_to_renewal            -- 0..729
FROM generate_series(1, :rows) g;
-- a few new accounts with no signal yet: their score is NULL
UPDATE signals SET usage = NULL, nps = NULL, engagement = NULL, relationship = NULL, competitor_intent = NULL,
       support_load = NULL, days_to_renewal = NULL
WHERE account_id % 10000 = 0;
-- health skewed high (mean ~67), an NPS-ish answer that follows it (advocates: healthy and
-- nps >= 50, too few for every at-risk account at 3 each), value at risk from a CLV
CREATE TABLE accts AS
SELECT account_id, segment, health, nps,
       value_at_risk(clv, health) AS var,
       round((random() * 100)::numeric, 2)::float8 AS strength,
       health >= 75 AND nps >= 50 AS is_advocate
FROM (SELECT g AS account_id, floor(random() * 20)::int AS segment, h AS health,
             greatest(-100, least(100, h * 1.6 - 100 + (random() - 0.5) * 80)) AS nps,
             round((1000 + random() * 99000)::numeric, 2) AS clv
      FROM (SELECT g, 100 * sqrt(random()) AS h FROM generate_series(1, :adv_rows) g) x) y;
VACUUM ANALYZE signals, accts;
SQL

abm_psql -v rounds="$rounds" <<'SQL'
\pset footer off
CREATE FUNCTION pg_temp.check(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'FAIL: % disagree', what;
	END IF;
END $$;
-- the hand-written health score: weighted levels of the signals present over their weights
-- (not least(days_to_renewal, 365): least() skips NULLs, so a missing renewal date would count as 365 days)
\set hand '100 * (coalesce(0.25::float8 * usage, 0) + coalesce(0.20::float8 * ((nps + 100) / 200), 0) + coalesce(0.15::float8 * (engagement / 100), 0) + coalesce(0.15::float8 * (relationship / 10), 0) + coalesce(0.10::float8 * (1 - competitor_intent / 100), 0) + coalesce(0.10::float8 * (5 / (5 + support_load)), 0) + coalesce(0.05::float8 * (CASE WHEN days_to_renewal >= 365 THEN 1 ELSE days_to_renewal / 365 END), 0)) / NULLIF(CASE WHEN usage IS NOT NULL THEN 0.25::float8 ELSE 0 END + CASE WHEN nps IS NOT NULL THEN 0.20::float8 ELSE 0 END + CASE WHEN engagement IS NOT NULL THEN 0.15::float8 ELSE 0 END + CASE WHEN relationship IS NOT NULL THEN 0.15::float8 ELSE 0 END + CASE WHEN competitor_intent IS NOT NULL THEN 0.10::float8 ELSE 0 END + CASE WHEN support_load IS NOT NULL THEN 0.10::float8 ELSE 0 END + CASE WHEN days_to_renewal IS NOT NULL THEN 0.05::float8 ELSE 0 END, 0)'
\set abm 'account_health(usage => usage, nps => nps, engagement => engagement, relationship => relationship, competitor_intent => competitor_intent, support_load => support_load, days_to_renewal => days_to_renewal)'
\set adv_abm 'SELECT s.segment, m.* FROM (SELECT segment, array_agg(account_id ORDER BY var DESC, account_id) FILTER (WHERE health < 75) AS at_risk, array_agg(account_id ORDER BY strength DESC, account_id) FILTER (WHERE is_advocate) AS advocates FROM accts GROUP BY segment) s, match_advocates(s.at_risk, s.advocates, 3) m'
\set adv_hand 'WITH r AS (SELECT segment, account_id, row_number() OVER (PARTITION BY segment ORDER BY var DESC, account_id) AS rn FROM accts WHERE health < 75), a AS (SELECT segment, account_id AS advocate, row_number() OVER (PARTITION BY segment ORDER BY strength DESC, account_id) AS rn FROM accts WHERE is_advocate) SELECT r.segment, r.account_id AS account, x.advocate FROM r LEFT JOIN LATERAL (SELECT a.advocate FROM a WHERE a.segment = r.segment AND a.rn = (r.rn - 1) / 3 + 1) x ON true'

\echo 'check: account_health() and the hand-written score on every row (must be 0 rows apart)'
SELECT count(*) AS rows, count(*) FILTER (WHERE h IS NULL) AS null_scores,
       count(*) FILTER (WHERE abs(a - h) > 1e-9 OR (a IS NULL) <> (h IS NULL)) AS disagree,
       max(abs(a - h)) AS max_abs_diff
FROM (SELECT :abm AS a, :hand AS h FROM signals) x;
SELECT pg_temp.check(count(*) = 0, 'account_health() and the hand-written score') FROM signals
WHERE abs(:abm - :hand) > 1e-9 OR (:abm IS NULL) <> (:hand IS NULL) \g /dev/null

\echo 'check: match_advocates() and the ranked lateral join give the same (account, advocate) pairs'
SELECT (SELECT count(*) FROM (:adv_abm) x) AS abm_rows,
       (SELECT count(advocate) FROM (:adv_abm) x) AS abm_matched,
       (SELECT count(*) FROM (:adv_hand) x) AS hand_rows,
       (SELECT count(advocate) FROM (:adv_hand) x) AS hand_matched,
       (SELECT count(*) FROM (SELECT account, advocate FROM (:adv_abm) x EXCEPT ALL SELECT account, advocate FROM (:adv_hand) y) d) AS only_abm,
       (SELECT count(*) FROM (SELECT account, advocate FROM (:adv_hand) y EXCEPT ALL SELECT account, advocate FROM (:adv_abm) x) d) AS only_hand
\gset
\echo '   rows' :abm_rows 'matched' :abm_matched '(abm);  rows' :hand_rows 'matched' :hand_matched '(hand-written);  only abm' :only_abm ', only hand-written' :only_hand
SELECT pg_temp.check(:only_abm = 0 AND :only_hand = 0 AND :abm_rows = :hand_rows AND :abm_matched = :hand_matched
                     AND :abm_rows > 0 AND :abm_matched > 0 AND :abm_matched < :abm_rows,
                     'match_advocates() and the ranked lateral join') \g /dev/null

CREATE TEMP TABLE query (id int PRIMARY KEY, name text, sql text);
INSERT INTO query VALUES
 (1, 'sum(coalesce(usage, 0))', 'SELECT sum(coalesce(usage, 0)) FROM signals'),
 (2, 'sum(account_health(...))', 'SELECT sum(' || :'abm' || ') FROM signals'),
 (3, 'hand-written CASE/coalesce score', 'SELECT sum(' || :'hand' || ') FROM signals'),
 (11, 'sum(health), advocate table', 'SELECT sum(health) FROM accts'),
 (12, 'array_agg + match_advocates(.., 3)', 'SELECT count(*), count(advocate) FROM (' || :'adv_abm' || ') x'),
 (13, 'hand-written row_number + LEFT JOIN LATERAL', 'SELECT count(*), count(advocate) FROM (' || :'adv_hand' || ') x');
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q ORDER BY r, q.id
\o /dev/null
\gexec
\o
\echo 'median of' :rounds 'rounds; vs_floor is the time over the floor (id 1 or 11), "speed-up" the hand-written query''s time over abm''s'
WITH m AS (SELECT q.id, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms, min(t.ms) lo, max(t.ms) hi
           FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name)
SELECT name AS query, round(ms::numeric, 1) AS median_ms, round(lo::numeric, 1) || ' .. ' || round(hi::numeric, 1) AS "min .. max",
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id / 10 * 10 + 1), 'FM990.00') || 'x' AS vs_floor,
       CASE m.id % 10 WHEN 3 THEN to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id - 1), 'FM990.00') || 'x' END AS "speed-up"
FROM m ORDER BY id;
\echo 'advocate plans, EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF), one more run each'
\pset format unaligned
\pset tuples_only on
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT count(*), count(advocate) FROM (:adv_abm) x;
\echo
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT count(*), count(advocate) FROM (:adv_hand) x;
SQL
