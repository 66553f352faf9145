#!/usr/bin/env bash
# test/bench/nps_bench.sh — how fast are abm's survey aggregates next to
# sum(score) and avg(score), and next to the same NPS written in plain SQL?
# Their transition value is a real type (the state itself, 32 bytes for
# NPS), as Citus needs to distribute them; avg(int) keeps an int8[] state.
#
# Starts a throwaway PostgreSQL 15, loads answers(account_id, score,
# csat_score) and, in one psql session, runs interleaved rounds (each round
# runs every query once, in the same order), timing each with
# EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) "Execution Time": no result rows
# reach the client.  Prints the median per query, the hash-aggregate memory
# and batches of the grouped sum, avg and nps, and a parallel run.  rollup(st)
# runs over account_states (one nps_state per account and part, about
# ABM_BENCH_ROWS / 10 states) next to sum(n) over the same rows.
#
#   test/bench/nps_bench.sh          # as root, from anywhere
#   ABM_BENCH_ROWS=1000000 ABM_BENCH_GROUPS=20000 ABM_BENCH_ROUNDS=3 test/bench/nps_bench.sh
#
# Env: ABM_BENCH_ROWS (10000000), ABM_BENCH_GROUPS (200000),
# ABM_BENCH_ROUNDS (5), ABM_BENCH_WORK_MEM (64MB).  Expects abm installed
# (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-10000000}
groups=${ABM_BENCH_GROUPS:-200000}
rounds=${ABM_BENCH_ROUNDS:-5}
work_mem=${ABM_BENCH_WORK_MEM:-64MB}
for v in rows groups rounds; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "ABM_BENCH_${v^^} must be a positive integer" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54339}   # not the test runner's port

abm_pg_start "shared_buffers = '1GB'" "work_mem = '$work_mem'" "jit = off" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" \
	"wal_level = minimal" "max_wal_senders = 0" "max_wal_size = '8GB'" "checkpoint_timeout = '1h'"

abm_log "loading $rows rows over $groups accounts"
abm_psql -v rows="$rows" -v groups="$groups" <<'SQL'
CREATE EXTENSION abm;
\i test/bench/answers.sql
SQL
if abm_psql -c 'CREATE EXTENSION pg_prewarm' 2>/dev/null; then
	abm_psql -At -c "SELECT 'prewarmed ' || pg_prewarm('answers') + pg_prewarm('account_states') || ' blocks'" >&2
else
	abm_psql -At -c 'SELECT count(*) FROM answers' -c 'SELECT count(*) FROM answers' >/dev/null
fi

abm_log "running $rounds rounds (plus one warm-up round) in one session"
echo "host: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other busy processes make timings noisy)"
abm_psql -v rounds="$rounds" <<'SQL'
\pset footer off
SELECT format('%s rows, %s accounts, %s, work_mem %s, hash_mem_multiplier %s, shared_buffers %s, jit %s',
              (SELECT count(*) FROM answers), (SELECT count(DISTINCT account_id) FROM answers),
              pg_size_pretty(pg_table_size('answers')), current_setting('work_mem'),
              current_setting('hash_mem_multiplier'), current_setting('shared_buffers'),
              current_setting('jit')) AS setup;
-- sanity: the extension and the plain SQL agree
SELECT nps(score) AS nps, 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score) AS plain_sql_nps,
       round(nps_margin(score)::numeric, 4) AS margin, round(csat(csat_score)::numeric, 4) AS csat
FROM answers;

CREATE TEMP TABLE query (id int PRIMARY KEY, grouping text, name text, agg text, src text, sql text);
INSERT INTO query (id, grouping, name, agg, src)
SELECT g.n * 20 + a.n, g.grouping, a.name, a.agg, a.src
FROM (VALUES (0, 'ungrouped'), (1, 'by account_id')) g(n, grouping),
     (VALUES (1, 'sum(score)', 'sum(score)', 'answers'), (2, 'avg(score)', 'avg(score)', 'answers'),
             (3, 'nps(score)', 'nps(score)', 'answers'),
             (4, 'plain SQL nps', '100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score)', 'answers'),
             (5, 'nps_margin(score)', 'nps_margin(score)', 'answers'), (6, 'nps_agg(score)', 'nps_agg(score)', 'answers'),
             (7, 'sum(csat_score)', 'sum(csat_score)', 'answers'), (8, 'csat(csat_score)', 'csat(csat_score)', 'answers'),
             (9, 'csat_agg(csat_score)', 'csat_agg(csat_score)', 'answers'),
             (10, 'sum(n) (states)', 'sum(n)', 'account_states'), (11, 'rollup(st)', 'rollup(st)', 'account_states')) a(n, name, agg, src);
UPDATE query SET sql = CASE WHEN grouping = 'ungrouped' THEN format('SELECT %s FROM %s', agg, src)
                            ELSE format('SELECT account_id, %s FROM %s GROUP BY account_id', agg, src) END;
-- each query's baseline: sum() over the same table and column kind, same grouping
CREATE TEMP VIEW baseline AS
SELECT q.id, b.id AS base_id FROM query q JOIN query b ON b.grouping = q.grouping
 AND b.name = CASE WHEN q.src = 'account_states' THEN 'sum(n) (states)'
                   WHEN q.agg ~ 'csat' THEN 'sum(csat_score)' ELSE 'sum(score)' END;
\i test/bench/timing.sql
-- the lines of a text plan that tell the strategy, its memory and spills
CREATE FUNCTION pg_temp.plan_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY ON) ' || q LOOP
		IF l ~ 'Aggregate|Gather|Workers|Scan|Batches|Memory|Disk|Sort Method|Execution Time' THEN
			RETURN NEXT btrim(regexp_replace(l, '^\s*(->)?\s*', ''));
		END IF;
	END LOOP;
END $$;

-- round 0 is a warm-up and not recorded
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q WHERE q.id < 100 ORDER BY r, q.id
\o /dev/null
\gexec
\o

\echo
\echo 'median of' :rounds 'rounds (EXPLAIN ANALYZE "Execution Time"; vs sum = median / median of sum() over the same table, same grouping)'
WITH m AS (
	SELECT q.id, q.grouping, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms,
	       min(t.ms) AS lo, max(t.ms) AS hi
	FROM query q JOIN timing t USING (id) GROUP BY q.id, q.grouping, q.name)
SELECT m.grouping, m.name AS query, round(m.ms::numeric, 1) AS median_ms,
       round(m.lo::numeric, 1) || ' .. ' || round(m.hi::numeric, 1) AS "min .. max",
       to_char(m.ms / b.ms, 'FM990.00') || 'x' AS vs_sum
FROM m JOIN baseline USING (id) JOIN m b ON b.id = baseline.base_id ORDER BY m.id;

WITH m AS (
	SELECT q.grouping, q.name, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms
	FROM query q JOIN timing t USING (id) GROUP BY q.grouping, q.name)
SELECT p.grouping, to_char(p.ms / n.ms, 'FM990.00') || 'x' AS "plain SQL / nps (how many times faster nps is)",
       to_char(a.ms / n.ms, 'FM990.00') || 'x' AS "avg / nps (how many times faster nps is)"
FROM m p JOIN m n USING (grouping) JOIN m a USING (grouping)
WHERE p.name = 'plain SQL nps' AND n.name = 'nps(score)' AND a.name = 'avg(score)' ORDER BY 1 DESC;

\echo
\echo 'grouped by account_id: EXPLAIN (ANALYZE, FORMAT TEXT), aggregate lines side by side'
SELECT coalesce(s.line, '') AS "sum(score)", coalesce(a.line, '') AS "avg(score)", coalesce(n.line, '') AS "nps(score)"
FROM pg_temp.plan_lines((SELECT sql FROM query WHERE id = 21)) WITH ORDINALITY s(line, i)
FULL JOIN pg_temp.plan_lines((SELECT sql FROM query WHERE id = 22)) WITH ORDINALITY a(line, i) USING (i)
FULL JOIN pg_temp.plan_lines((SELECT sql FROM query WHERE id = 23)) WITH ORDINALITY n(line, i) USING (i)
ORDER BY i;

\echo
\echo 'the same with work_mem = 4MB: batches and disk side by side'
SET work_mem = '4MB';
SELECT coalesce(s.line, '') AS "sum(score)", coalesce(a.line, '') AS "avg(score)", coalesce(n.line, '') AS "nps(score)"
FROM pg_temp.plan_lines((SELECT sql FROM query WHERE id = 21)) WITH ORDINALITY s(line, i)
FULL JOIN pg_temp.plan_lines((SELECT sql FROM query WHERE id = 22)) WITH ORDINALITY a(line, i) USING (i)
FULL JOIN pg_temp.plan_lines((SELECT sql FROM query WHERE id = 23)) WITH ORDINALITY n(line, i) USING (i)
ORDER BY i;
RESET work_mem;

-- parallel: the ungrouped sum and nps again, with 2 workers per Gather
SET max_parallel_workers_per_gather = 2;
SET min_parallel_table_scan_size = 0;   -- parallel at any ABM_BENCH_ROWS
SET parallel_setup_cost = 0;
INSERT INTO query SELECT id + 100, 'parallel', name, agg, src, sql FROM query WHERE id IN (1, 3);
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q WHERE q.id > 100 ORDER BY r, q.id
\o /dev/null
\gexec
\o
\echo
\pset tuples_only on
\pset format unaligned
WITH m AS (
	SELECT q.id, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms,
	       (array_agg(t.plan ORDER BY t.round DESC))[1]::text AS plan
	FROM query q JOIN timing t USING (id) GROUP BY q.id)
SELECT format('parallel (max_parallel_workers_per_gather = 2), median of %s: sum(score) %s ms, nps(score) %s ms, nps/sum %sx (serial: %s and %s ms)',
              :rounds, round(ps.ms::numeric, 1), round(pn.ms::numeric, 1), to_char(pn.ms / ps.ms, 'FM990.00'),
              round(s.ms::numeric, 1), round(n.ms::numeric, 1))
       || E'\n  nps plan: ' || (SELECT string_agg(regexp_replace(l, ' \(actual .*\)$', ''), ' <- ')
                                FROM pg_temp.plan_lines((SELECT sql FROM query WHERE id = 103)) l
                                WHERE l !~ 'Execution Time|Workers Planned')
       || CASE WHEN pn.plan ~ '"Partial Mode": "Partial"' THEN '' ELSE '  ** NO PARTIAL AGGREGATE **' END
FROM m ps, m pn, m s, m n WHERE ps.id = 101 AND pn.id = 103 AND s.id = 1 AND n.id = 3;
SQL
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
