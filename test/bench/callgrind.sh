#!/usr/bin/env bash
# test/bench/callgrind.sh — instructions per query, counted by callgrind on a
# single-user backend (postgres --single): the same on every run, so it
# settles what noisy timings cannot.  Loads ABM_CG_ROWS answers (default
# 1,000,000) over ABM_CG_GROUPS accounts (default 20,000) and their states
# (one nps_state per account and part: 100,000 at the defaults), counts
# each query's instructions, and prints them with their ratio to sum() over
# the same table and grouping; and survival_agg and percentile_cont over
# 200,000 lifetimes (3,650 distinct days) next to sum(days).
#
#   bash test/bench/callgrind.sh      # as root; about 4 minutes
#
# Needs valgrind (apt-get install valgrind) and abm installed (make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

rows=${ABM_CG_ROWS:-1000000}
groups=${ABM_CG_GROUPS:-20000}
[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind: apt-get install valgrind" >&2; exit 2; }
export ABM_PGPORT=${ABM_PGPORT:-54340}

abm_pg_start "shared_buffers = '256MB'" "jit = off" "max_parallel_workers_per_gather = 0" "autovacuum = off"
abm_log "loading $rows rows over $groups accounts"
abm_psql -v rows="$rows" -v groups="$groups" <<'SQL'
CREATE EXTENSION abm;
\i test/bench/answers.sql
-- 200,000 lifetimes over 3,650 distinct days, for survival_agg
CREATE TABLE lifetimes AS
SELECT (g * 7919) % 3650 AS days, g % 3 = 0 AS churned FROM generate_series(1, 200000) g;
VACUUM ANALYZE lifetimes;
-- 200,000 subscriptions (2 in 5 still active) for churn_rate
CREATE TABLE subscriptions AS
SELECT s AS started, CASE WHEN g % 5 < 2 THEN NULL ELSE s + (g * 31) % 900 END AS ended
FROM (SELECT g, date '2022-01-01' + (g * 7919) % 1400 AS s FROM generate_series(1, 200000) g) x;
VACUUM ANALYZE subscriptions;
CHECKPOINT;
SQL
abm_as_postgres "$ABM_PGBIN/pg_ctl" -D "$ABM_PGDATA" -w stop >/dev/null

# Instructions of one statement in a single-user backend, run as EXPLAIN
# ANALYZE (the aggregate runs, no rows are printed): a backend running it
# twice less one running it once, so that backend start, loading abm and
# filling the catalog caches are not counted.
run() { # SQL REPEAT
	local i input=''
	for ((i = 0; i < $2; i++)); do input+="EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY OFF) $1"$'\n'; done
	printf '%s' "$input" | abm_as_postgres valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$ABM_PGBIN/postgres" --single -D "$ABM_PGDATA" -c work_mem=64MB -c jit=off postgres 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
count() { echo $(( $(run "$1" 2) - $(run "$1" 1) )); }
printf '%-14s %-50s %16s %8s\n' grouping query instructions vs_sum
for grouping in ungrouped by_account; do
	for q in "sum(score)|answers|sum(score)" "avg(score)|answers|sum(score)" "nps(score)|answers|sum(score)" \
		"nps_agg(score)|answers|sum(score)" "sum(csat_score)|answers|sum(csat_score)" \
		"csat(csat_score)|answers|sum(csat_score)" "sum(n)|account_states|sum(n)" "rollup(st)|account_states|sum(n)" \
		"sum(days)|lifetimes|sum(days)" "survival_agg(days, churned) IS NULL|lifetimes|sum(days)" \
		"percentile_cont(0.5) WITHIN GROUP (ORDER BY days)|lifetimes|sum(days)" \
		"count(*)|subscriptions|count(*)" "count(ended)|subscriptions|count(*)" \
		"churn_rate(started, ended, daterange('2025-01-01', '2025-04-01'))|subscriptions|count(*)" \
		"count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01') AND ended <= '2025-04-01')::float8 / count(*) FILTER (WHERE started <= '2025-01-01' AND (ended IS NULL OR ended > '2025-01-01'))|subscriptions|count(*)"; do
		IFS='|' read -r agg src ref <<<"$q"
		[ "$src" != answers ] && [ "$src" != account_states ] && [ $grouping != ungrouped ] && continue   # ungrouped only
		if [ $grouping = ungrouped ]; then sql="SELECT $agg FROM $src"; else sql="SELECT account_id, $agg FROM $src GROUP BY account_id"; fi
		n=$(count "$sql")
		key="$grouping|$ref"
		if [ "$agg" = "$ref" ]; then eval "ref_$(echo "$key" | tr -c 'a-z_' '_')=$n"; fi
		r=$(eval "echo \$ref_$(echo "$key" | tr -c 'a-z_' '_')")
		printf '%-14s %-50s %16d %7.3fx\n' "$grouping" "$agg" "$n" "$(echo "$n / $r" | bc -l)"
	done
done
