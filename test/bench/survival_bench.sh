#!/usr/bin/env bash
# test/bench/survival_bench.sh — Kaplan-Meier in abm against the same curve
# written in plain SQL (grouped counts and window functions), against a
# plain sum() over the same rows (the floor: one pass that only adds) and
# against percentile_cont(0.5) (which must sort).
#
# Starts a throwaway PostgreSQL 15, loads ABM_BENCH_ROWS lifetimes (default
# 1,000,000) over 3,650 distinct days, and in one psql session runs
# interleaved rounds, timing each query with EXPLAIN (ANALYZE, TIMING OFF)
# "Execution Time".  Then the worst case: the same number of distinct
# double precision lifetimes, with the size of its state.
#
#   bash test/bench/survival_bench.sh      # as root; ABM_BENCH_ROUNDS (5)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-1000000}
rounds=${ABM_BENCH_ROUNDS:-5}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54338}

abm_pg_start "shared_buffers = '512MB'" "work_mem = '64MB'" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off"
abm_log "loading $rows lifetimes"
abm_psql -v rows="$rows" <<'SQL'
CREATE EXTENSION abm;
SELECT setseed(0.17) \g /dev/null
CREATE TABLE lifetimes AS
SELECT floor(random() * 3650)::int AS days, random() < 0.3 AS churned, random() * 3650 AS exact_days
FROM generate_series(1, :rows);
VACUUM ANALYZE lifetimes;
SQL

abm_psql -v rounds="$rounds" <<'SQL'
\pset footer off
SELECT count(*) AS lifetimes, count(DISTINCT days) AS distinct_days, count(DISTINCT exact_days) AS distinct_exact
FROM lifetimes;
-- the plain-SQL Kaplan-Meier computes the same S(t) as abm
WITH c AS (SELECT days, count(*) FILTER (WHERE churned) AS d, count(*) AS m FROM lifetimes GROUP BY days),
r AS (SELECT days, d, sum(m) OVER (ORDER BY days DESC) AS n FROM c),
k AS (SELECT days, exp(sum(ln((n - d)::float8 / n)) OVER (ORDER BY days)) AS s FROM r)
SELECT max(abs(k.s - a.survival)) < 1e-12 AS plain_sql_equals_abm
FROM k JOIN survival_curve((SELECT survival_agg(days, churned) FROM lifetimes)) a ON a.time = k.days;

CREATE TEMP TABLE query (id int PRIMARY KEY, name text, sql text);
INSERT INTO query VALUES
 (1, 'sum(days)', 'SELECT sum(days) FROM lifetimes'),
 (2, 'survival_agg + survival_curve',
     'SELECT count(*) FROM survival_curve((SELECT survival_agg(days, churned) FROM lifetimes))'),
 (3, 'plain-SQL Kaplan-Meier',
     'WITH c AS (SELECT days, count(*) FILTER (WHERE churned) AS d, count(*) AS m FROM lifetimes GROUP BY days),
           r AS (SELECT days, d, m, sum(m) OVER (ORDER BY days DESC) AS n FROM c),
           k AS (SELECT days, n, d, m - d AS censored, exp(sum(ln((n - d)::float8 / n)) OVER (ORDER BY days)) AS s,
                        sqrt(sum(d::float8 / (n * (n - d))) OVER (ORDER BY days)) AS se FROM r)
      SELECT count(*) FROM k'),
 (4, 'percentile_cont(0.5)', 'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FROM lifetimes'),
 (5, 'survival_agg only', 'SELECT survival_agg(days, churned) IS NOT NULL FROM lifetimes');
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q ORDER BY r, q.id
\o /dev/null
\gexec
\o
\echo
\echo 'median of' :rounds 'rounds, EXPLAIN ANALYZE "Execution Time" (ratios to sum(days) and to abm)'
WITH m AS (SELECT q.id, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms, min(t.ms) lo, max(t.ms) hi
           FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name)
SELECT name AS query, round(ms::numeric, 1) AS median_ms, round(lo::numeric, 1) || ' .. ' || round(hi::numeric, 1) AS "min .. max",
       to_char(ms / (SELECT ms FROM m WHERE id = 1), 'FM990.00') || 'x' AS vs_sum,
       to_char(ms / (SELECT ms FROM m WHERE id = 2), 'FM990.00') || 'x' AS vs_abm
FROM m ORDER BY id;

\echo
\echo 'worst case: every lifetime distinct (double precision)'
TRUNCATE timing;
DELETE FROM query;
INSERT INTO query VALUES
 (11, 'sum(exact_days)', 'SELECT sum(exact_days) FROM lifetimes'),
 (12, 'survival_agg + survival_curve', 'SELECT count(*) FROM survival_curve((SELECT survival_agg(exact_days, churned) FROM lifetimes))'),
 (13, 'plain-SQL Kaplan-Meier',
     'WITH c AS (SELECT exact_days AS t, count(*) FILTER (WHERE churned) AS d, count(*) AS m FROM lifetimes GROUP BY 1),
           r AS (SELECT t, d, m, sum(m) OVER (ORDER BY t DESC) AS n FROM c),
           k AS (SELECT t, n, d, exp(sum(ln((n - d)::float8 / n)) OVER (ORDER BY t)) AS s,
                        sqrt(sum(d::float8 / (n * (n - d))) OVER (ORDER BY t)) AS se FROM r)
      SELECT count(*) FROM k');
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, least(:rounds, 3)) r, query q ORDER BY r, q.id
\o /dev/null
\gexec
\o
WITH m AS (SELECT q.id, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms
           FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name)
SELECT name AS query, round(ms::numeric, 1) AS median_ms,
       to_char(ms / (SELECT ms FROM m WHERE id = 11), 'FM990.00') || 'x' AS vs_sum,
       to_char(ms / (SELECT ms FROM m WHERE id = 12), 'FM990.00') || 'x' AS vs_abm
FROM m ORDER BY id;
SELECT subjects(st) AS lifetimes, (SELECT count(*) FROM survival_curve(st)) AS distinct_times,
       pg_size_pretty(pg_column_size(st)::bigint) AS stored_state,
       round(pg_column_size(st)::numeric / (SELECT count(*) FROM survival_curve(st)), 1) AS bytes_per_time
FROM (SELECT survival_agg(exact_days, churned) AS st FROM lifetimes) x;
SQL
