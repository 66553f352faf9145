#!/usr/bin/env bash
# test/bench/churn_bench.sh — churn_rate(started, ended, period) against the
# same number written by hand with count(*) FILTER, and against sum() over
# the same rows.  ABM_BENCH_ROWS customer lifetimes (default 10,000,000), one
# session, interleaved rounds (ABM_BENCH_ROUNDS, default 5), EXPLAIN
# (ANALYZE, TIMING OFF) "Execution Time"; ungrouped and by segment.
#
#   bash test/bench/churn_bench.sh      # as root
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-10000000}
rounds=${ABM_BENCH_ROUNDS:-5}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54337}

abm_pg_start "shared_buffers = '1GB'" "work_mem = '64MB'" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" "max_wal_size = '8GB'"
abm_log "loading $rows lifetimes"
abm_psql -v rows="$rows" <<'SQL'
CREATE EXTENSION abm;
SELECT setseed(0.31) \g /dev/null
CREATE TABLE lifetimes AS
SELECT (random() * 20)::int AS segment, s AS started,
       CASE WHEN random() < 0.4 THEN NULL ELSE s + (random() * 900)::int END AS ended
FROM (SELECT date '2022-01-01' + (random() * 1400)::int AS s FROM generate_series(1, :rows)) x;
VACUUM ANALYZE lifetimes;
SQL

abm_psql -v rounds="$rounds" <<'SQL'
\pset footer off
SELECT churn_rate(started, ended, daterange('2025-01-01', '2025-04-01')) AS abm,
       count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01') AND ended <= '2025-04-01')::float8
       / count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01')) AS hand_written
FROM lifetimes;
CREATE TEMP TABLE query (id int PRIMARY KEY, name text, sql text);
INSERT INTO query VALUES
 (1, 'sum(ended - started)', 'SELECT sum(ended - started) FROM lifetimes'),
 (2, 'churn_rate', $$SELECT churn_rate(started, ended, daterange('2025-01-01', '2025-04-01')) FROM lifetimes$$),
 (3, 'hand-written count(*) FILTER',
     $$SELECT count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01') AND ended <= '2025-04-01')::float8
              / count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01')) FROM lifetimes$$),
 (11, 'sum(ended - started), by segment', 'SELECT segment, sum(ended - started) FROM lifetimes GROUP BY segment'),
 (12, 'churn_rate, by segment', $$SELECT segment, churn_rate(started, ended, daterange('2025-01-01', '2025-04-01')) FROM lifetimes GROUP BY segment$$),
 (13, 'hand-written, by segment',
     $$SELECT segment, count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01') AND ended <= '2025-04-01')::float8
              / count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01')) FROM lifetimes GROUP BY segment$$);
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q ORDER BY r, q.id
\o /dev/null
\gexec
\o
\echo 'median of' :rounds 'rounds (ratios to sum() and to churn_rate, same grouping)'
WITH m AS (SELECT q.id, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms, min(t.ms) lo, max(t.ms) hi
           FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name)
SELECT name AS query, round(ms::numeric, 1) AS median_ms, round(lo::numeric, 1) || ' .. ' || round(hi::numeric, 1) AS "min .. max",
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id / 10 * 10 + 1), 'FM990.00') || 'x' AS vs_sum,
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id / 10 * 10 + 2), 'FM990.00') || 'x' AS vs_churn_rate
FROM m ORDER BY id;
SQL
