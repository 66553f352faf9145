#!/usr/bin/env bash
# test/bench/multinode_bench.sh — the same queries on one node and on a
# coordinator over two shards through postgres_fdw, side by side.
#
# Starts three PostgreSQL 15 servers on 127.0.0.1 (test/lib/multinode.sh: a
# coordinator and two shards), generates survey answers, one MRR pair and one
# lifetime per account on the coordinator (schema single: the one-node
# copy), splits them by hash of account_id across the shards (schema dist:
# partitioned tables of foreign tables), and makes per-shard state views
# (schema shards).  In one psql session on the coordinator it checks that
# every pair of queries gives the same answer, then runs interleaved rounds
# (each round runs every query once, in the same order), timing each with
# EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) "Execution Time" (for the
# coordinator that includes the shards' work and the transfer), and prints
# the medians as a markdown table.  All three servers share this machine's
# cores: the numbers show what the coordinator adds or saves, not how
# shards on separate machines scale.
#
#   test/bench/multinode_bench.sh          # as root, from anywhere
#   ABM_BENCH_ROWS=1000000 ABM_BENCH_ACCOUNTS=50000 ABM_BENCH_ROUNDS=3 test/bench/multinode_bench.sh
#
# Env: ABM_BENCH_ROWS (4000000 answers), ABM_BENCH_ACCOUNTS (200000),
# ABM_BENCH_ROUNDS (5), ABM_BENCH_WORK_MEM (64MB), ABM_MULTINODE_PORTS
# ("54365 54366 54367").  Expects abm installed (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh
. test/lib/multinode.sh

rows=${ABM_BENCH_ROWS:-4000000}
accounts=${ABM_BENCH_ACCOUNTS:-200000}
rounds=${ABM_BENCH_ROUNDS:-5}
work_mem=${ABM_BENCH_WORK_MEM:-64MB}
for v in rows accounts rounds; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "ABM_BENCH_${v^^} must be a positive integer" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (the servers run as user postgres)" >&2; exit 2; }
read -r -a ports <<<"${ABM_MULTINODE_PORTS:-54365 54366 54367}"
[ ${#ports[@]} -eq 3 ] || { echo "ABM_MULTINODE_PORTS needs three ports" >&2; exit 2; }

mn_start "${ports[@]}" "shared_buffers = '512MB'" "work_mem = '$work_mem'" "jit = off" "autovacuum = off" \
	"wal_level = minimal" "max_wal_senders = 0" "max_wal_size = '8GB'" "checkpoint_timeout = '1h'"
mn_fdw_setup

abm_log "generating $rows answers over $accounts accounts"
t0=$(date +%s)
mn_psql 0 -v rows="$rows" -v accounts="$accounts" <<'SQL'
SET search_path = single, public;
SELECT setseed(0.42) \g /dev/null
CREATE TABLE accounts AS
SELECT a AS account_id,
       (ARRAY['Software','Healthcare','Finance','Retail','Manufacturing','Education','Media','Logistics'])[1 + a % 8] AS industry,
       (ARRAY['SMB','Mid-Market','Enterprise'])[1 + (a / 8) % 3] AS size_band
FROM generate_series(1, :accounts) a;
-- NPS 0..10 skewed high, as in test/bench/answers.sql; the industry carried on each answer
CREATE TABLE answers AS
SELECT x.account_id, a.industry, x.score
FROM (SELECT 1 + floor(random() * :accounts)::int AS account_id,
             width_bucket(random(), '{.03,.04,.05,.07,.09,.14,.20,.30,.48,.70}'::float8[]) AS score
      FROM generate_series(1, :rows)) x
JOIN accounts a USING (account_id);
-- MRR a year apart (numeric(12,2)): some new, some churned, most flat or moving a little
CREATE TABLE mrr AS
SELECT account_id, industry, s, CASE WHEN r < 0.10 THEN 0 ELSE round(s * (0.8 + 0.5 * random())::numeric, 2) END::numeric(12,2) AS e
FROM (SELECT account_id, industry, random() AS r,
             CASE WHEN random() < 0.08 THEN 0 ELSE round((50 + 2000 * random() ^ 3)::numeric, 2) END::numeric(12,2) AS s
      FROM accounts) x;
-- one lifetime in days per account, 30% churned
CREATE TABLE lifetimes AS
SELECT account_id, size_band, floor(random() * 3650)::int AS days, random() < 0.3 AS churned FROM accounts;
VACUUM ANALYZE accounts, answers, mrr, lifetimes;
SQL
abm_log "splitting by account across the shards"
mn_distribute answers mrr lifetimes
mn_state_views nps_by_industry "SELECT industry AS segment, nps_agg(score) AS st FROM answers GROUP BY industry"
mn_state_views revenue_by_industry "SELECT industry AS segment, revenue_agg(s, e) AS st FROM mrr GROUP BY industry"
mn_state_views survival_by_band "SELECT size_band AS segment, survival_agg(days, churned) AS st FROM lifetimes GROUP BY size_band"
for i in 1 2; do mn_psql "$i" -c 'VACUUM ANALYZE answers, mrr, lifetimes'; done
abm_log "set up in $(($(date +%s) - t0)) s; running $rounds rounds (plus one warm-up round) in one session"

echo "host: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other busy processes make timings noisy)"
mn_psql 0 -v rounds="$rounds" <<'SQL'
\pset footer off
SET search_path = public;
SELECT format('%s answers, %s accounts (%s on shard1, %s on shard2), work_mem %s, shared_buffers %s per server, jit %s, max_parallel_workers_per_gather %s',
              (SELECT count(*) FROM single.answers), (SELECT count(*) FROM single.accounts),
              (SELECT count(*) FROM dist.answers_shard1), (SELECT count(*) FROM dist.answers_shard2),
              current_setting('work_mem'), current_setting('shared_buffers'), current_setting('jit'),
              current_setting('max_parallel_workers_per_gather')) AS setup;
SET enable_partitionwise_aggregate = on;
SET enable_partitionwise_join = on;

-- each pair: the one-node query (over schema single) and the coordinator's (over dist or shards)
CREATE TEMP TABLE pair (n int PRIMARY KEY, name text, how text, one_node text, coordinator text);
INSERT INTO pair VALUES
 (1, 'NPS by account (the shard key)', 'pushed down: each shard runs `nps(score) ... GROUP BY account_id`',
  'SELECT account_id, nps(score) FROM single.answers GROUP BY account_id',
  'SELECT account_id, nps(score) FROM dist.answers GROUP BY account_id'),
 (2, 'NPS by industry, partitionwise', 'every answer fetched (`SELECT industry, score`), a Partial Aggregate per shard on the coordinator, then Finalize',
  'SELECT industry, nps(score) FROM single.answers GROUP BY industry',
  'SELECT industry, nps(score) FROM dist.answers GROUP BY industry'),
 (3, 'NPS by industry, per-shard states', '`nps_agg` by industry on each shard (8 states each, as text), `nps(rollup(st))` on the coordinator',
  'SELECT industry, nps(score) FROM single.answers GROUP BY industry',
  'SELECT segment, nps(rollup(st)) FROM shards.nps_by_industry GROUP BY segment'),
 (4, 'NPS of everything, partitionwise', 'every score fetched, Partial Aggregate per shard, Finalize Aggregate',
  'SELECT nps(score) FROM single.answers',
  'SELECT nps(score) FROM dist.answers'),
 (5, 'NRR and GRR by industry, partitionwise', 'every MRR pair fetched, a Partial Aggregate per shard, then Finalize',
  'SELECT industry, nrr(s, e), grr(s, e) FROM single.mrr GROUP BY industry',
  'SELECT industry, nrr(s, e), grr(s, e) FROM dist.mrr GROUP BY industry'),
 (6, 'NRR and GRR by industry, per-shard states', '`revenue_agg` on each shard, `rollup` on the coordinator',
  'SELECT industry, nrr(s, e), grr(s, e) FROM single.mrr GROUP BY industry',
  'SELECT segment, nrr(rollup(st)), grr(rollup(st)) FROM shards.revenue_by_industry GROUP BY segment'),
 (7, 'Kaplan-Meier by size band, per-shard states', '`survival_agg` on each shard (up to 3,650 days per state), `rollup` on the coordinator',
  'SELECT size_band, median_lifetime(survival_agg(days, churned)), restricted_mean_lifetime(survival_agg(days, churned), 1095) FROM single.lifetimes GROUP BY size_band',
  'SELECT segment, median_lifetime(rollup(st)), restricted_mean_lifetime(rollup(st), 1095) FROM shards.survival_by_band GROUP BY segment');

-- the two sides of each pair give the same rows (floats print exactly)
CREATE FUNCTION pg_temp.answer(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	EXECUTE format('SELECT count(*) || '' rows: '' || md5(string_agg(x::text, E''\n'' ORDER BY x::text)) FROM (%s) x', sql) INTO r;
	RETURN r;
END $$;
CREATE TEMP TABLE check_answer AS
SELECT n, name, pg_temp.answer(one_node) AS one_node, pg_temp.answer(coordinator) AS coordinator FROM pair;
SELECT n, name, one_node AS "one node", CASE WHEN one_node = coordinator THEN 'same' ELSE 'DIFFERENT: ' || coordinator END AS coordinator
FROM check_answer ORDER BY n;
SELECT count(*) = 0 AS all_same FROM check_answer WHERE one_node IS DISTINCT FROM coordinator \gset
\if :all_same
\else
\echo 'the coordinator and the single node disagree'
SELECT 1 / 0;
\endif

CREATE TEMP TABLE query (id int PRIMARY KEY, sql text);
INSERT INTO query SELECT n * 10 + 1, one_node FROM pair UNION ALL SELECT n * 10 + 2, coordinator FROM pair;
\i test/bench/timing.sql
SELECT format('SELECT pg_temp.bench_one(%s, %s)', q.id, r)
FROM generate_series(0, :rounds) r, query q ORDER BY r, q.id
\o /dev/null
\gexec
\o

\echo
\echo 'median of' :rounds 'rounds, EXPLAIN ANALYZE "Execution Time" on the coordinator (ms); one node = the coordinator over its local copy of every row'
\pset tuples_only on
\pset format unaligned
WITH m AS (
	SELECT id, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM timing GROUP BY id)
SELECT E'| query | one node, ms | coordinator + 2 shards, ms | coordinator / one node | what the coordinator does |\n|---|---|---|---|---|\n'
       || string_agg(format('| %s | %s | %s | %s× | %s |', p.name, to_char(o.ms, 'FM999,990.0'), to_char(c.ms, 'FM999,990.0'),
                            to_char(c.ms / o.ms, 'FM990.00'), p.how), E'\n' ORDER BY p.n)
FROM pair p JOIN m o ON o.id = p.n * 10 + 1 JOIN m c ON c.id = p.n * 10 + 2;
\echo
-- the nodes of a plan in short: HashAggregate (Partial), Foreign Scan (async), Gather (2 workers) ...
CREATE FUNCTION pg_temp.nodes(qid int) RETURNS text LANGUAGE sql AS $$
SELECT string_agg(DISTINCT CASE WHEN n ->> 'Node Type' = 'Aggregate' AND n ->> 'Strategy' = 'Hashed' THEN 'HashAggregate'
                                WHEN n ->> 'Node Type' = 'Aggregate' AND n ->> 'Strategy' = 'Sorted' THEN 'GroupAggregate'
                                ELSE n ->> 'Node Type' END
                           || CASE WHEN n ->> 'Partial Mode' <> 'Simple' THEN ' (' || (n ->> 'Partial Mode') || ')' ELSE '' END
                           || CASE WHEN (n ->> 'Async Capable')::bool THEN ' (async)' ELSE '' END
                           || coalesce(' (' || (n ->> 'Workers Launched') || ' workers)', ''), ', ')
FROM jsonb_path_query((SELECT plan FROM timing t WHERE t.id = qid ORDER BY round DESC LIMIT 1)::jsonb, 'strict $.**') n
WHERE jsonb_typeof(n) = 'object' AND n ? 'Node Type' $$;
SELECT 'plan nodes (last round):';
SELECT format(E'  %s\n    one node:    %s\n    coordinator: %s', p.name, pg_temp.nodes(p.n * 10 + 1), pg_temp.nodes(p.n * 10 + 2))
FROM pair p ORDER BY p.n;
SQL
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
