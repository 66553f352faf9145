#!/usr/bin/env bash
# test/bench/revenue_bench.sh — nrr(s, e) and mrr_bridge(s, e, paid_before)
# against the same numbers written by hand (sum() FILTER, and the
# CASE-based bridge of seven sums), and against a plain sum(e) over the same
# rows.  ABM_BENCH_ROWS accounts (default 5,000,000) with numeric(12,2) MRR
# at a period's start and end, one session, interleaved rounds
# (ABM_BENCH_ROUNDS, default 5), EXPLAIN (ANALYZE, TIMING OFF) "Execution
# Time"; ungrouped and by segment.  Prints the answers side by side first:
# they must be equal to the digit.
#
#   bash test/bench/revenue_bench.sh      # as root
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-5000000}
rounds=${ABM_BENCH_ROUNDS:-5}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54338}

abm_pg_start "shared_buffers = '1GB'" "work_mem = '64MB'" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" "max_wal_size = '8GB'"
abm_log "loading $rows accounts"
abm_psql -v rows="$rows" <<'SQL'
CREATE EXTENSION abm;
SELECT setseed(0.42) \g /dev/null
CREATE TABLE mrr AS
SELECT (random() * 20)::int AS segment,
       CASE WHEN r1 < 0.15 THEN 0 ELSE round((50 + random() * 5000)::numeric, 2) END::numeric(12, 2) AS s,
       CASE WHEN r2 < 0.12 THEN 0 ELSE round((50 + random() * 5500)::numeric, 2) END::numeric(12, 2) AS e,
       random() < 0.3 AS paid_before
FROM (SELECT random() AS r1, random() AS r2 FROM generate_series(1, :rows)) x;
VACUUM ANALYZE mrr;
SQL

abm_psql -v rounds="$rounds" <<'SQL'
\pset footer off
\x on
SELECT nrr(s, e) AS abm_nrr,
       sum(e) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0) AS hand_nrr,
       (mrr_bridge(s, e, paid_before)).*
FROM mrr;
SELECT sum(s) FILTER (WHERE s > 0) AS starting,
       sum(e) FILTER (WHERE s = 0 AND e > 0 AND NOT paid_before) AS new,
       sum(e) FILTER (WHERE s = 0 AND e > 0 AND paid_before) AS reactivation,
       sum(e - s) FILTER (WHERE s > 0 AND e > s) AS expansion,
       sum(s - e) FILTER (WHERE e > 0 AND e < s) AS contraction,
       sum(s) FILTER (WHERE s > 0 AND e = 0) AS churn,
       sum(e) AS ending
FROM mrr;
\x off
CREATE TEMP TABLE query (id int PRIMARY KEY, name text, sql text);
INSERT INTO query VALUES
 (1, 'sum(e)', 'SELECT sum(e) FROM mrr'),
 (2, 'nrr(s, e)', 'SELECT nrr(s, e) FROM mrr'),
 (3, 'hand-written NRR: sum() FILTER / sum() FILTER',
     'SELECT sum(e) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0) FROM mrr'),
 (4, 'mrr_bridge(s, e, paid_before)', 'SELECT mrr_bridge(s, e, paid_before) FROM mrr'),
 (5, 'hand-written bridge: seven CASE sums',
     $$SELECT sum(CASE WHEN s > 0 THEN s END),
              sum(CASE WHEN s = 0 AND e > 0 AND NOT paid_before THEN e END),
              sum(CASE WHEN s = 0 AND e > 0 AND paid_before THEN e END),
              sum(CASE WHEN s > 0 AND e > s THEN e - s END),
              sum(CASE WHEN e > 0 AND e < s THEN s - e END),
              sum(CASE WHEN s > 0 AND e = 0 THEN s END),
              sum(e) FROM mrr$$),
 (11, 'sum(e), by segment', 'SELECT segment, sum(e) FROM mrr GROUP BY segment'),
 (12, 'nrr(s, e), by segment', 'SELECT segment, nrr(s, e) FROM mrr GROUP BY segment'),
 (13, 'hand-written NRR, by segment',
     'SELECT segment, sum(e) FILTER (WHERE s > 0) / sum(s) FILTER (WHERE s > 0) FROM mrr GROUP BY segment'),
 (14, 'mrr_bridge, by segment', 'SELECT segment, mrr_bridge(s, e, paid_before) FROM mrr GROUP BY segment'),
 (15, 'hand-written bridge, by segment',
     $$SELECT segment, sum(CASE WHEN s > 0 THEN s END),
              sum(CASE WHEN s = 0 AND e > 0 AND NOT paid_before THEN e END),
              sum(CASE WHEN s = 0 AND e > 0 AND paid_before THEN e END),
              sum(CASE WHEN s > 0 AND e > s THEN e - s END),
              sum(CASE WHEN e > 0 AND e < s THEN s - e END),
              sum(CASE WHEN s > 0 AND e = 0 THEN s END),
              sum(e) FROM mrr GROUP BY segment$$);
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q ORDER BY r, q.id
\o /dev/null
\gexec
\o
\echo 'median of' :rounds 'rounds; "speed-up" is the hand-written query''s time over abm''s (same grouping)'
WITH m AS (SELECT q.id, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms, min(t.ms) lo, max(t.ms) hi
           FROM query q JOIN timing t USING (id) GROUP BY q.id, q.name)
SELECT name AS query, round(ms::numeric, 1) AS median_ms, round(lo::numeric, 1) || ' .. ' || round(hi::numeric, 1) AS "min .. max",
       to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id / 10 * 10 + 1), 'FM990.00') || 'x' AS vs_sum,
       CASE m.id % 10 WHEN 3 THEN to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id - 1), 'FM990.00') || 'x'
                      WHEN 5 THEN to_char(ms / (SELECT b.ms FROM m b WHERE b.id = m.id - 1), 'FM990.00') || 'x' END AS "speed-up"
FROM m ORDER BY id;
\echo 'grouped plans: memory and batches of the hash aggregate'
SELECT q.name, t.plan -> 0 -> 'Plan' ->> 'Peak Memory Usage' AS peak_kb,
       t.plan -> 0 -> 'Plan' ->> 'HashAgg Batches' AS batches
FROM timing t JOIN query q USING (id) WHERE t.round = 1 AND q.id > 10 ORDER BY q.id;
SQL
