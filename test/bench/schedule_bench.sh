#!/usr/bin/env bash
# test/bench/schedule_bench.sh — the MRR timeline of ABM_BENCH_CUSTOMERS
# customers (default 100,000) with three years of subscription periods:
# mrr_schedule + mrr_months against the plain-SQL month spine an analyst
# writes (generate_series months, a join of the periods, sum, lag() and
# bool_or() windows, a CASE for the movement), and cohort_agg +
# cohort_retention against the triangle written over that spine.  Checks
# first that both give the same rows, then times them in one session,
# interleaved rounds (ABM_BENCH_ROUNDS, default 3), EXPLAIN (ANALYZE, TIMING
# OFF) "Execution Time".
#
#   bash test/bench/schedule_bench.sh      # as root
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

customers=${ABM_BENCH_CUSTOMERS:-100000}
rounds=${ABM_BENCH_ROUNDS:-3}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54339}

abm_pg_start "shared_buffers = '1GB'" "work_mem = '256MB'" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" "max_wal_size = '8GB'"
abm_log "loading $customers customers' subscription periods"
abm_psql -v customers="$customers" <<'SQL'
CREATE EXTENSION abm;
SELECT setseed(0.5) \g /dev/null
-- 1 to 4 periods per customer between 2023 and 2025: gaps, overlaps,
-- mid-month starts and ends, a quarter of them open-ended
CREATE TABLE periods AS
SELECT c AS customer, s AS start_date,
       CASE WHEN random() < 0.25 THEN NULL ELSE s + (30 + random() * 700)::int END AS end_date,
       round((20 + random() * 2000)::numeric, 2) AS amount
FROM generate_series(1, :customers) c,
     LATERAL (SELECT date '2023-01-01' + (random() * 1000)::int + 0 * c AS s
              FROM generate_series(1, 1 + (random() * 3)::int + 0 * c)) x;
VACUUM ANALYZE periods;
CREATE VIEW plain_timeline AS
WITH spine AS (SELECT m::date AS month FROM generate_series(date '2023-01-01', date '2025-12-01', interval '1 month') m),
customer_months AS (
	SELECT p.customer, s.month,
	       coalesce(sum(p.amount) FILTER (WHERE p.start_date <= s.month AND (p.end_date IS NULL OR p.end_date > s.month)), 0) AS mrr
	FROM periods p JOIN spine s ON s.month >= date_trunc('month', p.start_date) - interval '1 month'
	GROUP BY p.customer, s.month
),
windowed AS (
	SELECT customer, month, mrr, lag(mrr, 1, 0::numeric) OVER w AS previous_mrr,
	       coalesce(bool_or(mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS paid_before,
	       min(month) FILTER (WHERE mrr > 0) OVER (PARTITION BY customer) AS first_paying,
	       max(month) FILTER (WHERE mrr > 0) OVER (PARTITION BY customer) AS last_paying
	FROM customer_months WINDOW w AS (PARTITION BY customer ORDER BY month)
)
SELECT customer, month, mrr, previous_mrr,
       CASE WHEN previous_mrr = 0 AND mrr > 0 AND NOT paid_before THEN 'new'
            WHEN previous_mrr = 0 AND mrr > 0 THEN 'reactivation'
            WHEN previous_mrr > 0 AND mrr = 0 THEN 'churn'
            WHEN mrr > previous_mrr THEN 'expansion'
            WHEN mrr < previous_mrr THEN 'contraction'
            ELSE 'flat' END AS movement,
       paid_before
FROM windowed WHERE month >= first_paying AND month <= last_paying + interval '1 month';
CREATE VIEW abm_timeline AS
SELECT x.customer, m.month, m.mrr, m.previous_mrr, m.movement::text AS movement, m.paid_before
FROM (SELECT customer, mrr_schedule(start_date, end_date, amount) AS s FROM periods GROUP BY customer) x
CROSS JOIN LATERAL mrr_months(s, '2025-12-31') m;
SQL

abm_log "checking that both give the same rows"
abm_psql <<'SQL'
\pset footer off
SELECT (SELECT count(*) FROM plain_timeline) AS plain_rows, (SELECT count(*) FROM abm_timeline) AS abm_rows,
       (SELECT count(*) FROM (SELECT * FROM plain_timeline EXCEPT ALL SELECT * FROM abm_timeline) d) AS only_plain,
       (SELECT count(*) FROM (SELECT * FROM abm_timeline EXCEPT ALL SELECT * FROM plain_timeline) d) AS only_abm;
SQL

abm_psql -v rounds="$rounds" <<'SQL'
\pset footer off
CREATE TEMP TABLE query (id int PRIMARY KEY, name text, sql text);
INSERT INTO query VALUES
 (1, 'sum(amount) over the periods', 'SELECT customer, sum(amount) FROM periods GROUP BY customer'),
 (2, 'mrr_schedule + mrr_months', 'SELECT * FROM abm_timeline'),
 (3, 'plain-SQL month spine', 'SELECT * FROM plain_timeline');
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q ORDER BY r, q.id
\o /dev/null
\gexec
\o
\echo 'median of' :rounds 'rounds; "plain / abm": the plain-SQL spine''s time over abm''s'
WITH m AS (SELECT q.id, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms, min(t.ms) lo, max(t.ms) hi
           FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name)
SELECT name AS query, round(ms::numeric, 1) AS median_ms, round(lo::numeric, 1) || ' .. ' || round(hi::numeric, 1) AS "min .. max",
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = 1), 'FM990.00') || 'x' AS vs_sum,
       CASE WHEN id = 3 THEN to_char(ms / (SELECT b.ms FROM m b WHERE b.id = 2), 'FM990.00') || 'x' END AS "plain / abm"
FROM m ORDER BY id;
SQL
