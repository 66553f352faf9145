#!/usr/bin/env bash
# test/bench/parallel_bench.sh — how much faster do abm's aggregates run
# with parallel workers?  The same ungrouped query with
# max_parallel_workers_per_gather = 0, 1 and 2: nps(score),
# nrr(mrr_start, mrr_end), mrr_bridge(mrr_start, mrr_end),
# churn_rate(started, ended, daterange(...)), survival_agg(lifetime,
# churned) and median_lifetime of it, funnel_agg(stage), and sum(score) and
# sum(mrr_end) over the same rows for reference.  The floor: at least 1.6x
# from 0 to 1 worker for nps, nrr, mrr_bridge, churn_rate, survival_agg
# (and median_lifetime of it) and funnel_agg; the table says whether each
# meets it.  On a 2-core machine 1 worker means two processes (the leader
# scans too), so 2x is the ceiling; 2 workers (three processes on two
# cores) is printed for information.
#
# Starts a throwaway PostgreSQL 15 with shared_buffers ABM_BENCH_SHARED_BUFFERS
# (default 128MB, PostgreSQL's own default: the 607 MB table is read through
# a ring of buffers from the OS page cache, as a table larger than a quarter
# of shared_buffers always is), loads ABM_BENCH_ROWS rows into one unlogged
# table (two sessions inserting half each), VACUUM FREEZE ANALYZE, and reads
# it twice to warm the page cache (with a larger shared_buffers, pg_prewarm
# instead: every page a buffer hit; on this machine's two vCPUs two scans of
# hits in shared memory gain much less from a second process than scans
# through the ring do, sum() included).  Then, in one session:
#   - checks that every query has a Gather over a Partial Aggregate with 1
#     and with 2 workers, and that its answer with workers equals the serial
#     answer: exactly as ::text for every state (nps_agg, revenue_agg,
#     churn_agg, survival_agg, funnel_agg) and for nrr, mrr_bridge,
#     median_lifetime and the sums; nps and churn_rate as float8 within
#     1e-12 relative.  Any difference, or a plan without a Partial Aggregate,
#     stops the script with exit status 1;
#   - runs interleaved rounds (each round runs every query once per worker
#     setting, the order of the settings rotating from round to round; a
#     warm-up round is not kept), timing each with EXPLAIN (ANALYZE, TIMING
#     OFF, FORMAT JSON) "Execution Time", so that no result reaches the
#     client, and prints the medians as a markdown table, with the workers
#     actually launched when fewer than planned.
# Before and after, a CPU probe: the time of a busy PL/pgSQL loop alone and
# two at once, i.e. how much of the second core is free (other work on the
# machine takes it).
#
#   bash test/bench/parallel_bench.sh      # as root; about 2.5 minutes at 10M rows on 2 cores
#   ABM_BENCH_ROWS=1000000 ABM_BENCH_ROUNDS=3 bash test/bench/parallel_bench.sh
#
# Env: ABM_BENCH_ROWS (10000000), ABM_BENCH_ROUNDS (3), ABM_BENCH_SHARED_BUFFERS
# (128MB), ABM_PGPORT (54348).
# Expects abm installed (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_BENCH_ROWS:-10000000}
rounds=${ABM_BENCH_ROUNDS:-3}
for v in rows rounds; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "ABM_BENCH_${v^^} must be a positive integer" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54348}   # not the test runner's port

shared_buffers=${ABM_BENCH_SHARED_BUFFERS:-128MB}
abm_pg_start "shared_buffers = '$shared_buffers'" "jit = off" "max_worker_processes = 8" "max_parallel_workers = 4" \
	"max_parallel_workers_per_gather = 0" "autovacuum = off" \
	"wal_level = minimal" "max_wal_senders = 0" "max_wal_size = '8GB'" "checkpoint_timeout = '1h'"

start=$(date +%s)
abm_log "loading $rows rows (two sessions)"
abm_psql <<'SQL'
CREATE EXTENSION abm;
CREATE UNLOGGED TABLE t (
	score int, mrr_start numeric(12, 2), mrr_end numeric(12, 2),
	started date, ended date, lifetime int, churned boolean, stage lifecycle_stage);
SQL
# rows lo..hi: deterministic, from hashes of the row number (& 2147483647, not
# abs(): abs(-2^31) is out of range)
load() {
	abm_psql -v lo="$1" -v hi="$2" <<'SQL'
INSERT INTO t
SELECT h1 % 11,
       CASE WHEN g % 5 = 0 THEN 0 ELSE (h2 % 100000) / 100.0 END,
       CASE WHEN h3 % 8 = 0 THEN 0 ELSE (h3 % 120000) / 100.0 END,
       started,
       CASE WHEN h5 % 10 < 4 THEN NULL ELSE started + 1 + h5 % 700 END,
       h6 % 3650, h7 % 10 < 3,
       (lifecycle_stage_labels())[1 + h4 % 10]
FROM (SELECT g, hashint4(g) & 2147483647 AS h1, hashint4(g + 1) & 2147483647 AS h2,
             hashint4(g + 2) & 2147483647 AS h3, hashint4(g + 3) & 2147483647 AS h4,
             hashint4(g + 4) & 2147483647 AS h5, hashint4(g + 5) & 2147483647 AS h6,
             hashint4(g + 6) & 2147483647 AS h7,
             date '2023-01-01' + (hashint4(g + 7) & 2147483647) % 900 AS started
      FROM generate_series(:lo::int, :hi::int) g) x;
SQL
}
half=$((rows / 2))
load 1 "$half" &
p1=$!
load $((half + 1)) "$rows" &
p2=$!
wait $p1
wait $p2
abm_psql -c 'VACUUM (FREEZE, ANALYZE) t'
if [ "$shared_buffers" != 128MB ] && abm_psql -c 'CREATE EXTENSION pg_prewarm' 2>/dev/null; then
	abm_psql -At -c "SELECT 'prewarmed ' || pg_prewarm('t') || ' blocks'" >&2
else
	abm_psql -At -c 'SELECT count(*) FROM t' -c 'SELECT count(*) FROM t' >/dev/null
fi
abm_log "loaded in $(($(date +%s) - start)) s"

# How much CPU is free: a busy backend alone, then two at once.  On two free
# cores two run in the time of one (2.00x); no speed-up from 0 to 1 worker
# can exceed this ratio.
cpu_probe() {
	local sql='DO $$ DECLARE s bigint := 0; BEGIN FOR i IN 1..20000000 LOOP s := s + i; END LOOP; END $$'
	local t0 t1 t2 a b
	t0=$(date +%s%N)
	abm_psql -c "$sql"
	t1=$(date +%s%N)
	abm_psql -c "$sql" &
	a=$!
	abm_psql -c "$sql" &
	b=$!
	wait $a
	wait $b
	t2=$(date +%s%N)
	awk -v when="$1" -v one=$((t1 - t0)) -v two=$((t2 - t1)) 'BEGIN {
		printf "CPU probe %s: one busy backend %.0f ms, two at once %.0f ms: %.2fx the work of one per unit of time (2.00x = two free cores; the ceiling of any speed-up)\n",
		       when, one / 1e6, two / 1e6, 2 * one / two }'
}

echo "host: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other busy processes make timings noisy)"
cpu_probe "before"
status=0
abm_psql -v rounds="$rounds" <<'SQL' || status=1
\pset footer off
SET min_parallel_table_scan_size = 0;   -- parallel at any ABM_BENCH_ROWS
-- so that the 5-page table below gets a parallel plan too; the plans over
-- t are the same with the default costs, with as many workers as allowed
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
CREATE TABLE few_pages AS SELECT g AS x FROM generate_series(1, 1000) g;   -- 5 pages: 2 workers
ANALYZE few_pages;
SELECT format('%s rows, %s, shared_buffers %s, jit %s, max_parallel_workers %s, parallel_leader_participation %s',
              (SELECT count(*) FROM t), pg_size_pretty(pg_table_size('t')), current_setting('shared_buffers'),
              current_setting('jit'), current_setting('max_parallel_workers'),
              current_setting('parallel_leader_participation')) AS setup;

-- the timed queries; floor: whether the 1.6x floor from 0 to 1 worker applies
CREATE TEMP TABLE bench_query (id int PRIMARY KEY, name text, sql text, floor boolean);
INSERT INTO bench_query VALUES
 (0, 'count(*) over a 5-page table (the cost of starting workers)', 'SELECT count(*) FROM few_pages', false),
 (1, 'sum(score) (reference)', 'SELECT sum(score) FROM t', false),
 (2, 'sum(mrr_end) (reference, numeric)', 'SELECT sum(mrr_end) FROM t', false),
 (3, 'nps(score)', 'SELECT nps(score) FROM t', true),
 (4, 'nrr(mrr_start, mrr_end)', 'SELECT nrr(mrr_start, mrr_end) FROM t', true),
 (5, 'mrr_bridge(mrr_start, mrr_end)', 'SELECT mrr_bridge(mrr_start, mrr_end) FROM t', true),
 (6, 'churn_rate(started, ended, daterange(''2025-01-01'', ''2025-04-01''))',
     'SELECT churn_rate(started, ended, daterange(''2025-01-01'', ''2025-04-01'')) FROM t', true),
 (7, 'survival_agg(lifetime, churned)', 'SELECT survival_agg(lifetime, churned) FROM t', true),
 (8, 'median_lifetime(survival_agg(lifetime, churned))', 'SELECT median_lifetime(survival_agg(lifetime, churned)) FROM t', true),
 (9, 'funnel_agg(stage)', 'SELECT funnel_agg(stage) FROM t', true);

-- the answers, serial and with workers: each timed query, and the state behind each number
CREATE TEMP TABLE answer_check (name text, sql text, kind text);
INSERT INTO answer_check
SELECT name, regexp_replace(sql, '^SELECT (.*) FROM t$', 'SELECT (\1)::text FROM t'),
       CASE WHEN id IN (3, 6) THEN 'float' ELSE 'text' END FROM bench_query;
INSERT INTO answer_check VALUES
 ('nps_agg(score)', 'SELECT nps_agg(score)::text FROM t', 'text'),
 ('revenue_agg(mrr_start, mrr_end)', 'SELECT revenue_agg(mrr_start, mrr_end)::text FROM t', 'text'),
 ('churn_agg(started, ended, daterange(''2025-01-01'', ''2025-04-01''))',
  'SELECT churn_agg(started, ended, daterange(''2025-01-01'', ''2025-04-01''))::text FROM t', 'text');

CREATE TEMP TABLE check_result (name text, workers int, ok boolean, detail text);
DO $$
DECLARE
	c record;
	w int;
	serial text;
	par text;
	plan json;
	planned int;
BEGIN
	FOR c IN SELECT * FROM answer_check LOOP
		PERFORM set_config('max_parallel_workers_per_gather', '0', true);
		EXECUTE c.sql INTO serial;
		FOREACH w IN ARRAY ARRAY[1, 2] LOOP
			PERFORM set_config('max_parallel_workers_per_gather', w::text, true);
			EXECUTE 'EXPLAIN (FORMAT JSON) ' || c.sql INTO plan;
			planned := (regexp_match(plan::text, '"Workers Planned": ([0-9]+)'))[1]::int;
			IF plan::text !~ '"Node Type": "Gather' OR plan::text !~ '"Partial Mode": "Partial"' OR planned IS DISTINCT FROM w THEN
				INSERT INTO check_result VALUES (c.name, w, false,
					format('no Gather over a Partial Aggregate with %s workers planned: %s', w, plan));
				CONTINUE;
			END IF;
			EXECUTE c.sql INTO par;
			INSERT INTO check_result VALUES (c.name, w,
				par IS NOT DISTINCT FROM serial
				OR (c.kind = 'float' AND abs(par::float8 - serial::float8) <= 1e-12 * abs(serial::float8)),
				format('serial %s, %s worker(s) %s', left(serial, 120), w, left(par, 120)));
		END LOOP;
	END LOOP;
END $$;
\pset tuples_only on
\pset format unaligned
SELECT format('%s with %s worker(s): %s', name, workers, CASE WHEN ok THEN 'equal to the serial answer' ELSE 'FAILED: ' || detail END)
FROM check_result ORDER BY ok, name, workers;
DO $$ BEGIN
	IF EXISTS (SELECT FROM check_result WHERE NOT ok) THEN
		RAISE EXCEPTION 'parallel_bench: a parallel plan or answer check failed';
	END IF;
END $$;
\pset tuples_only off
\pset format aligned

\i test/bench/timing.sql
-- timing.sql keys timings by query id: one id per query and worker setting
CREATE TEMP TABLE query AS SELECT id * 10 + w AS id, name, sql, floor FROM bench_query, generate_series(0, 2) w;

-- round 0 is a warm-up and not recorded; within a round the order of the
-- worker settings rotates: 0 1 2, 1 2 0, 2 0 1, ...
SELECT format('SET max_parallel_workers_per_gather = %s', q.id % 10),
       format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q ORDER BY r, q.id / 10, (q.id % 10 + 3 - r % 3) % 3
\o /dev/null
\gexec
\o
RESET max_parallel_workers_per_gather;

\echo
\echo 'median of' :rounds 'rounds, EXPLAIN (ANALYZE, TIMING OFF) "Execution Time"; speed-up = median with 0 workers / median with n'
\pset tuples_only on
\pset format unaligned
\echo
\echo '| aggregate | 0 workers (ms) | 1 worker (ms) | speed-up 0→1 | 2 workers (ms) | speed-up 0→2 | floor 1.6× 0→1 |'
\echo '|---|---|---|---|---|---|---|'
WITH m AS (
	SELECT q.id / 10 AS qid, q.id % 10 AS w, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms,
	       min(coalesce((regexp_match(t.plan::text, '"Workers Launched": ([0-9]+)'))[1]::int, 0)) AS launched
	FROM query q JOIN timing t USING (id) GROUP BY q.id),
r AS (
	SELECT q.id / 10 AS qid, q.name, q.floor, m0.ms AS ms0, m1.ms AS ms1, m2.ms AS ms2,
	       m1.launched AS l1, m2.launched AS l2
	FROM query q JOIN m m0 ON m0.qid = q.id / 10 AND m0.w = 0
	JOIN m m1 ON m1.qid = q.id / 10 AND m1.w = 1 JOIN m m2 ON m2.qid = q.id / 10 AND m2.w = 2
	WHERE q.id % 10 = 0)
SELECT format('| `%s` | %s | %s%s | %s× | %s%s | %s× | %s |', name, to_char(ms0, 'FM999990.0'),
              to_char(ms1, 'FM999990.0'), CASE WHEN l1 < 1 THEN ' (' || l1 || ' launched)' ELSE '' END,
              to_char(ms0 / ms1, 'FM990.00'),
              to_char(ms2, 'FM999990.0'), CASE WHEN l2 < 2 THEN ' (' || l2 || ' launched at least once)' ELSE '' END,
              to_char(ms0 / ms2, 'FM990.00'),
              CASE WHEN NOT floor THEN '(reference)' WHEN ms0 / ms1 >= 1.6 THEN 'meets' ELSE '**below**' END)
FROM r ORDER BY qid;
\echo
WITH m AS (
	SELECT q.id / 10 AS qid, q.id % 10 AS w, q.floor, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) AS ms
	FROM query q JOIN timing t USING (id) GROUP BY q.id, q.floor)
SELECT format('floor 1.6x from 0 to 1 worker: met by %s of %s aggregates%s',
              count(*) FILTER (WHERE m0.ms / m1.ms >= 1.6), count(*),
              coalesce(': below: ' || string_agg(q.name, ', ') FILTER (WHERE m0.ms / m1.ms < 1.6), ''))
FROM m m0 JOIN m m1 ON m1.qid = m0.qid AND m1.w = 1 JOIN query q ON q.id = m0.qid * 10
WHERE m0.w = 0 AND m0.floor;
SQL
cpu_probe "after"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(($(date +%s) - start)) s in all"
exit $status
