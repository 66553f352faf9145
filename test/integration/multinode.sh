#!/usr/bin/env bash
# Several nodes through postgres_fdw: a coordinator and two shards, three real
# PostgreSQL 15 servers on 127.0.0.1, each with abm.  The demo's sample CRM
# data is loaded on the coordinator (schema single: the single-node answer)
# and split by account across the shards; the coordinator's schema dist holds
# tables partitioned by hash of account_id whose partitions are foreign
# tables on the shards.  Checks:
#   1. EXPLAIN (VERBOSE): grouped by account_id with partitionwise
#      aggregation, every abm aggregate listed runs on the shards (Remote
#      SQL calls public.<aggregate>(...)); without the server option
#      extensions 'abm' none does; not grouped by account_id, the plan is a
#      Finalize Aggregate over a Partial Aggregate per partition over a
#      Foreign Scan whose Remote SQL only selects columns (PostgreSQL 15's
#      postgres_fdw ships no partial aggregate).
#   2. States made on each shard by a view, fetched through postgres_fdw in
#      their text form and rolled up on the coordinator equal the single-node
#      states and numbers exactly: NPS, revenue (NRR, GRR, the bridge), churn
#      (both forms), survival (every row of the curve) and the funnel.
#   3. The same queries run by the coordinator over the partitioned foreign
#      tables, with partitionwise aggregation on and off, equal the
#      single-node answer exactly.
# Ports: ABM_MULTINODE_PORTS ("54361 54362 54363"); the servers stop and
# their directories are removed on exit.  Run as root (test/run does).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh
. test/lib/multinode.sh

[ "$(id -u)" = 0 ] || { echo "multinode: run as root (the servers run as user postgres)" >&2; exit 2; }
read -r -a ports <<<"${ABM_MULTINODE_PORTS:-54361 54362 54363}"
[ ${#ports[@]} -eq 3 ] || { echo "multinode: ABM_MULTINODE_PORTS needs three ports" >&2; exit 2; }
start=$(date +%s)

mn_start "${ports[@]}" "max_connections = 20" "shared_buffers = '32MB'"
mn_fdw_setup
mn_psql 0 -c 'SET search_path = single, public' -f test/demo/crm_data.sql >/dev/null
mn_distribute accounts subscriptions mrr_snapshots nps_responses stage_history

# the rows are split, none lost, none twice, both shards hold some
split=$(mn_psql 0 -At -F ' ' <<'SQL'
CREATE FUNCTION pg_temp.n(rel text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint; BEGIN EXECUTE 'SELECT count(*) FROM ' || rel INTO n; RETURN n; END $$;
SELECT t, pg_temp.n('single.' || t), pg_temp.n('dist.' || t), pg_temp.n('dist.' || t || '_shard1'), pg_temp.n('dist.' || t || '_shard2')
FROM unnest(ARRAY['accounts', 'subscriptions', 'mrr_snapshots', 'nps_responses', 'stage_history']) t;
SQL
)
echo "$split" | sed 's/^/    /'
echo "$split" | awk 'NF != 5 || $2 != $3 || $3 != $4 + $5 || $4 == 0 || $5 == 0 { bad = 1 } END { exit bad || NR != 5 }' ||
	{ echo "multinode: FAIL rows lost or duplicated in the split (table, single, dist, shard1, shard2)" >&2; exit 1; }
echo "multinode: rows split across the shards by account, none lost or twice (table, all rows, through dist, on shard1, on shard2)"

# ---------------------------------------------------------------------------
# 1. what EXPLAIN shows is sent to the shards
# ---------------------------------------------------------------------------
mn_psql 0 -At >"${MN_DIRS[0]}/plans.txt" <<'SQL'
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q; END $$;
SET enable_partitionwise_aggregate = on;
-- grouped by the shard key: each abm aggregate, the function name the Remote SQL must call
CREATE TEMP TABLE pushed (tbl text, agg text, fn text);
INSERT INTO pushed VALUES
 ('nps_responses', 'nps(score)', 'nps'),
 ('nps_responses', 'nps_margin(score, 0.9)', 'nps_margin'),
 ('nps_responses', 'nps_agg(score)', 'nps_agg'),
 ('mrr_snapshots', 'revenue_agg(mrr, mrr * 1.1)', 'revenue_agg'),
 ('mrr_snapshots', 'nrr(mrr, mrr * 1.1)', 'nrr'),
 ('subscriptions', 'mrr_schedule(started_on, ended_on, mrr)', 'mrr_schedule'),
 ('subscriptions', 'churn_agg(started_on, ended_on, daterange(''2025-01-01'', ''2025-04-01''))', 'churn_agg'),
 ('subscriptions', 'churn_rate(account_id::bigint, started_on, ended_on, daterange(''2025-01-01'', ''2025-04-01''))', 'churn_rate'),
 ('subscriptions', 'survival_agg(CASE WHEN ended_on IS NULL THEN date ''2026-06-30'' ELSE ended_on END - started_on, ended_on IS NOT NULL)', 'survival_agg'),
 ('stage_history', 'funnel_agg(stage, stage = ''churned'')', 'funnel_agg'),
 ('stage_history', 'stage_path(stage, entered_at)', 'stage_path'),
 ('stage_history', 'max(stage)', 'max');
SELECT format('pushed %s: %s of 2 foreign scans call public.%s(, %s local Aggregate nodes', agg,
              count(*) FILTER (WHERE p ~ ('Remote SQL: SELECT account_id, public\.' || fn || '\(.* GROUP BY 1$')),
              fn, count(*) FILTER (WHERE p ~ '^\s*(->\s+)?(Finalize |Partial )?(Hash|Group|Mixed)?Aggregate$'))
FROM pushed, pg_temp.plan(format('SELECT account_id, %s FROM dist.%I GROUP BY account_id', agg, tbl)) p
GROUP BY agg, fn, tbl ORDER BY tbl, agg;
-- the plan of the first, in full
SELECT 'plan by_account ' || p FROM pg_temp.plan('SELECT account_id, nps(score) FROM dist.nps_responses GROUP BY account_id') p;
-- postgres_fdw ships an extension's functions only when the server lists it
BEGIN;
ALTER SERVER shard1 OPTIONS (DROP extensions);
ALTER SERVER shard2 OPTIONS (DROP extensions);
SELECT 'plan no_extensions ' || p FROM pg_temp.plan('SELECT account_id, nps(score) FROM dist.nps_responses GROUP BY account_id') p;
ROLLBACK;
-- not grouped by the shard key: by industry (a join, partitionwise too), and no grouping at all
SET enable_partitionwise_join = on;
SELECT 'plan by_industry ' || p FROM pg_temp.plan('SELECT a.industry, nps(r.score) FROM dist.nps_responses r JOIN dist.accounts a USING (account_id) GROUP BY a.industry') p;
SELECT 'plan ungrouped ' || p FROM pg_temp.plan('SELECT nps(score) FROM dist.nps_responses') p;
SET enable_partitionwise_aggregate = off;
SELECT 'plan ungrouped_off ' || p FROM pg_temp.plan('SELECT nps(score) FROM dist.nps_responses') p;
-- a COALESCE inside the aggregate's arguments (PostgreSQL 15's postgres_fdw does not ship it)
SET enable_partitionwise_aggregate = on;
SELECT 'plan coalesce ' || p FROM pg_temp.plan('SELECT account_id, survival_agg(coalesce(ended_on, date ''2026-06-30'') - started_on, ended_on IS NOT NULL) FROM dist.subscriptions GROUP BY account_id') p;
SQL
plans=${MN_DIRS[0]}/plans.txt
fail=0
plan_of() { sed -n "s/^plan $1 //p" "$plans"; }
n_of() { plan_of "$1" | grep -c -E "$2" || true; }

# (a) grouped by account_id: every aggregate runs on both shards, nothing aggregates locally
while read -r line; do
	echo "multinode: $line"
	[[ $line =~ :\ 2\ of\ 2\ foreign\ scans.*,\ 0\ local ]] || fail=1
done < <(grep '^pushed ' "$plans")
[ "$(grep -c '^pushed ' "$plans")" -eq 12 ] || fail=1
plan_of by_account | sed 's/^/    /'
[ "$(n_of by_account '^ *-> +Async Foreign Scan$')" -eq 2 ] &&
	[ "$(n_of by_account 'Relations: Aggregate on \(dist\.nps_responses_shard[12] ')" -eq 2 ] &&
	[ "$(n_of by_account 'Remote SQL: SELECT account_id, public\.nps\(score\) FROM public\.nps_responses GROUP BY 1$')" -eq 2 ] &&
	[ "$(plan_of by_account | head -1)" = Append ] ||
	{ echo "multinode: FAIL grouped by account_id, nps( is not sent to both shards" >&2; fail=1; }
echo "multinode: grouped by account_id, partitionwise: Append of 2 Async Foreign Scans, each Remote SQL 'SELECT account_id, public.nps(score) ... GROUP BY 1'"

# (b) without extensions 'abm' on the servers, the rows come to the coordinator
[ "$(n_of no_extensions 'Remote SQL: .*nps\(')" -eq 0 ] &&
	[ "$(n_of no_extensions 'Remote SQL: SELECT account_id, score FROM public\.nps_responses$')" -eq 2 ] &&
	[ "$(n_of no_extensions 'Aggregate')" -ge 1 ] ||
	{ echo "multinode: FAIL without extensions 'abm' nps( was still shipped" >&2; plan_of no_extensions >&2; fail=1; }
echo "multinode: without the server option extensions 'abm': Remote SQL 'SELECT account_id, score FROM public.nps_responses', aggregated on the coordinator"

# (c) not grouped by the shard key: Finalize over a Partial Aggregate per partition over a plain Foreign Scan
for q in by_industry ungrouped; do
	plan_of "$q" | sed 's/^/    /'
	fin=$(plan_of "$q" | head -1)
	partial=$(n_of "$q" '^ *-> +Partial (Hash|Group)?Aggregate$')
	sync=$(n_of "$q" '^ *-> +Foreign Scan on dist\.')
	async=$(n_of "$q" 'Async Foreign Scan')
	shipped=$(n_of "$q" 'Remote SQL: .*nps\(')
	if [[ $fin =~ ^Finalize\ (Hash|Group)?Aggregate$ ]] && [ "$partial" -eq 2 ] && [ "$shipped" -eq 0 ] &&
		[ "$async" -eq 0 ] && [ "$sync" -ge 2 ]; then
		echo "multinode: $q, partitionwise: '$fin' over Append of $partial Partial Aggregates, each over (non-async) Foreign Scans; Remote SQL selects columns, no nps("
	else
		echo "multinode: FAIL $q: expected Finalize over 2 Partial Aggregates over Foreign Scans (top '$fin', $partial partial, $sync foreign scans, $async async, $shipped shipped)" >&2
		fail=1
	fi
done
plan_of ungrouped_off | sed 's/^/    /'
[ "$(plan_of ungrouped_off | head -1)" = Aggregate ] && [ "$(n_of ungrouped_off 'Async Foreign Scan')" -eq 2 ] ||
	{ echo "multinode: FAIL ungrouped without partitionwise aggregation: expected Aggregate over 2 Async Foreign Scans" >&2; fail=1; }
echo "multinode: ungrouped, partitionwise off: one Aggregate over Append of 2 Async Foreign Scans"
if [ "$(n_of coalesce 'Remote SQL: .*survival_agg\(')" -eq 0 ]; then
	echo "multinode: note: survival_agg(coalesce(ended_on, date) - started_on, ...) is not shipped (postgres_fdw 15 does not deparse COALESCE); the same with CASE WHEN is"
else
	echo "multinode: note: survival_agg(coalesce(...) ...) is shipped"
fi

# ---------------------------------------------------------------------------
# 2. states made on the shards, fetched as text, rolled up on the coordinator
# ---------------------------------------------------------------------------
lifetimes="SELECT s.account_id, a.size_band,
       CASE WHEN bool_and(s.ended_on IS NOT NULL) THEN max(s.ended_on) ELSE date '2026-06-30' END - min(s.started_on) AS days,
       bool_and(s.ended_on IS NOT NULL) AS churned
FROM subscriptions s JOIN accounts a USING (account_id) GROUP BY s.account_id, a.size_band"
customers="SELECT account_id, min(started_on) AS started,
       CASE WHEN bool_and(ended_on IS NOT NULL) THEN max(ended_on) END AS ended
FROM subscriptions GROUP BY account_id"
quarters="SELECT (date '2024-01-01' + k * interval '3 months')::date AS lo, (date '2024-04-01' + k * interval '3 months')::date AS hi
FROM generate_series(0, 9) k"
furthest="SELECT account_id, max(stage) FILTER (WHERE stage <> 'churned') AS furthest, bool_or(stage = 'churned') AS churned
FROM stage_history GROUP BY account_id"
revenue="SELECT s.account_id, a.industry, s.mrr AS s, e.mrr AS e,
       EXISTS (SELECT 1 FROM mrr_snapshots x WHERE x.account_id = s.account_id AND x.month < s.month AND x.mrr > 0) AS paid_before
FROM mrr_snapshots s JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = date '2026-06-01'
JOIN accounts a ON a.account_id = s.account_id WHERE s.month = date '2025-06-01'"

mn_state_views nps_by_industry "SELECT a.industry AS segment, nps_agg(r.score) AS st
FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY a.industry"
mn_state_views revenue_by_industry "SELECT industry AS segment, revenue_agg(s, e, paid_before) AS st FROM ($revenue) r GROUP BY industry"
mn_state_views churn_by_quarter "SELECT q.lo AS segment, churn_agg(c.started, c.ended, daterange(q.lo, q.hi)) AS st
FROM ($customers) c, ($quarters) q GROUP BY q.lo"
mn_state_views customer_churn_by_quarter "SELECT q.lo AS segment, churn_agg(s.account_id::bigint, s.started_on, s.ended_on, daterange(q.lo, q.hi)) AS st
FROM subscriptions s, ($quarters) q GROUP BY q.lo"
mn_state_views survival_by_band "SELECT size_band AS segment, survival_agg(days, churned) AS st FROM ($lifetimes) l GROUP BY size_band"
mn_state_views funnel_by_region "SELECT a.region AS segment, funnel_agg(coalesce(f.furthest, 'churned'), f.churned) AS st
FROM ($furthest) f JOIN accounts a USING (account_id) GROUP BY a.region"
mn_psql 0 <<SQL
-- the NPS states once more, into a text column: the form that travels
CREATE FOREIGN TABLE shards.nps_text_shard1 (segment text, st text) SERVER shard1 OPTIONS (schema_name 'public', table_name 'nps_by_industry');
CREATE FOREIGN TABLE shards.nps_text_shard2 (segment text, st text) SERVER shard2 OPTIONS (schema_name 'public', table_name 'nps_by_industry');
SQL

# each check: segment key, what the shards' rolled-up states give, what one node gives
# from every row; a line per family: rows compared, mismatches, a sample
states_out=$(mn_psql 0 -At -F ' | ' <<SQL
SET search_path = single, public;
CREATE FUNCTION pg_temp.curve(st survival_state) RETURNS text LANGUAGE sql AS
\$\$ SELECT string_agg(c::text, ';' ORDER BY c.time) FROM survival_curve(st) c \$\$;
CREATE FUNCTION pg_temp.stages(st funnel_state) RETURNS text LANGUAGE sql AS
\$\$ SELECT string_agg(f::text, ';' ORDER BY f.stage) FROM funnel_stages(st) f \$\$;

WITH d AS (SELECT coalesce(segment, '(all)') AS k, rollup(st) AS st FROM shards.nps_by_industry GROUP BY GROUPING SETS ((segment), ())),
     t AS (SELECT coalesce(segment, '(all)') AS k, rollup(st::nps_state) AS st
           FROM (SELECT * FROM shards.nps_text_shard1 UNION ALL SELECT * FROM shards.nps_text_shard2) x GROUP BY GROUPING SETS ((segment), ())),
     o AS (SELECT coalesce(a.industry, '(all)') AS k, nps_agg(r.score) AS st, nps(r.score) AS nps, nps_margin(r.score) AS margin
           FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY GROUPING SETS ((a.industry), ()))
SELECT 'nps', count(*), count(*) FILTER (WHERE d.st::text IS DISTINCT FROM o.st::text OR t.st::text IS DISTINCT FROM o.st::text
                                         OR nps(d.st) IS DISTINCT FROM o.nps OR nps_margin(d.st) IS DISTINCT FROM o.margin),
       max(format('%s: %s, nps %s', o.k, o.st, o.nps)) FILTER (WHERE o.k = '(all)')
FROM d FULL JOIN o USING (k) FULL JOIN t USING (k);

WITH d AS (SELECT coalesce(segment, '(all)') AS k, rollup(st) AS st FROM shards.revenue_by_industry GROUP BY GROUPING SETS ((segment), ())),
     o AS (SELECT coalesce(industry, '(all)') AS k, revenue_agg(s, e, paid_before) AS st, nrr(s, e) AS nrr, grr(s, e) AS grr,
                  mrr_bridge(s, e, paid_before) AS bridge
           FROM ($revenue) r GROUP BY GROUPING SETS ((industry), ()))
SELECT 'revenue', count(*), count(*) FILTER (WHERE d.st::text IS DISTINCT FROM o.st::text OR nrr(d.st) IS DISTINCT FROM o.nrr
                                             OR grr(d.st) IS DISTINCT FROM o.grr OR mrr_bridge(d.st) IS DISTINCT FROM o.bridge
                                             OR quick_ratio(d.st) IS DISTINCT FROM quick_ratio(o.st)),
       max(format('%s: nrr %s, grr %s', o.k, o.nrr, o.grr)) FILTER (WHERE o.k = '(all)')
FROM d FULL JOIN o USING (k);

WITH d AS (SELECT coalesce(segment::text, '(all)') AS k, rollup(st) AS st FROM shards.churn_by_quarter GROUP BY segment),
     o AS (SELECT q.lo::text AS k, churn_agg(c.started, c.ended, daterange(q.lo, q.hi)) AS st,
                  churn_rate(c.started, c.ended, daterange(q.lo, q.hi)) AS rate
           FROM ($customers) c, ($quarters) q GROUP BY q.lo)
SELECT 'churn', count(*), count(*) FILTER (WHERE d.st::text IS DISTINCT FROM o.st::text OR churn_rate(d.st) IS DISTINCT FROM o.rate
                                           OR customers_at_start(d.st) IS DISTINCT FROM customers_at_start(o.st)
                                           OR churned(d.st) IS DISTINCT FROM churned(o.st)),
       max(format('%s: %s', o.k, o.st)) FILTER (WHERE o.k = '2025-01-01')
FROM d FULL JOIN o USING (k);

WITH d AS (SELECT coalesce(segment::text, '(all)') AS k, rollup(st) AS st FROM shards.customer_churn_by_quarter GROUP BY segment),
     o AS (SELECT q.lo::text AS k, churn_agg(s.account_id::bigint, s.started_on, s.ended_on, daterange(q.lo, q.hi)) AS st,
                  churn_rate(s.account_id::bigint, s.started_on, s.ended_on, daterange(q.lo, q.hi)) AS rate
           FROM subscriptions s, ($quarters) q GROUP BY q.lo)
SELECT 'customer_churn', count(*), count(*) FILTER (WHERE d.st::text IS DISTINCT FROM o.st::text OR churn_rate(d.st) IS DISTINCT FROM o.rate
                                                    OR customers_at_start(d.st) IS DISTINCT FROM customers_at_start(o.st)),
       max(format('%s: churn_rate %s', o.k, o.rate)) FILTER (WHERE o.k = '2025-01-01')
FROM d FULL JOIN o USING (k);

WITH d AS (SELECT coalesce(segment, '(all)') AS k, rollup(st) AS st FROM shards.survival_by_band GROUP BY GROUPING SETS ((segment), ())),
     o AS (SELECT coalesce(size_band, '(all)') AS k, survival_agg(days, churned) AS st FROM ($lifetimes) l GROUP BY GROUPING SETS ((size_band), ()))
SELECT 'survival', count(*), count(*) FILTER (WHERE d.st::text IS DISTINCT FROM o.st::text OR pg_temp.curve(d.st) IS DISTINCT FROM pg_temp.curve(o.st)
                                              OR median_lifetime(d.st) IS DISTINCT FROM median_lifetime(o.st)
                                              OR median_lifetime_interval(d.st) IS DISTINCT FROM median_lifetime_interval(o.st)
                                              OR restricted_mean_lifetime(d.st, 1095) IS DISTINCT FROM restricted_mean_lifetime(o.st, 1095)),
       max(format('%s: %s curve rows, median %s', o.k, (SELECT count(*) FROM survival_curve(o.st)), median_lifetime(o.st))) FILTER (WHERE o.k = '(all)')
FROM d FULL JOIN o USING (k);

WITH d AS (SELECT coalesce(segment, '(all)') AS k, rollup(st) AS st FROM shards.funnel_by_region GROUP BY GROUPING SETS ((segment), ())),
     o AS (SELECT coalesce(a.region, '(all)') AS k, funnel_agg(coalesce(f.furthest, 'churned'), f.churned) AS st
           FROM ($furthest) f JOIN accounts a USING (account_id) GROUP BY GROUPING SETS ((a.region), ()))
SELECT 'funnel', count(*), count(*) FILTER (WHERE d.st::text IS DISTINCT FROM o.st::text OR pg_temp.stages(d.st) IS DISTINCT FROM pg_temp.stages(o.st)),
       max(format('%s: %s', o.k, o.st)) FILTER (WHERE o.k = '(all)')
FROM d FULL JOIN o USING (k);

SELECT 'sample', 'shard1 sends', 'nps_by_industry', (SELECT format('%s | %s', segment, st) FROM shards.nps_text_shard1 ORDER BY segment LIMIT 1);
SQL
)
echo "$states_out" | sed 's/^/    /'
while IFS='|' read -r name rows bad _; do
	name=${name// /} rows=${rows// /} bad=${bad// /}
	[ "$name" = sample ] && continue
	if [ "$bad" = 0 ] && [ "$rows" -ge 4 ]; then
		echo "multinode: $name: rolled-up shard states = single node on all $rows rows (segments and the total), states and numbers exact"
	else
		echo "multinode: FAIL $name: $bad of $rows rows differ" >&2
		fail=1
	fi
done <<<"$states_out"
[ "$(echo "$states_out" | grep -c -E '^(nps|revenue|churn|customer_churn|survival|funnel) ')" -eq 6 ] || { echo "multinode: FAIL a state check did not run" >&2; fail=1; }
echo "$states_out" | grep -q '^sample .*| v2 detractors=[0-9]* passives=[0-9]* promoters=[0-9]*$' ||
	{ echo "multinode: FAIL the shard did not send the text form of nps_state" >&2; fail=1; }

# ---------------------------------------------------------------------------
# 3. the coordinator over the partitioned foreign tables = one node
# ---------------------------------------------------------------------------
direct_out=$(mn_psql 0 -At -F ' | ' <<SQL
CREATE TEMP TABLE q (name text, sql text);
INSERT INTO q VALUES
 ('nps by industry', \$q\$SELECT a.industry, nps(r.score), nps_margin(r.score), nps_agg(r.score) FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY a.industry\$q\$),
 ('nps by account', \$q\$SELECT account_id, nps(score), nps_agg(score) FROM nps_responses GROUP BY account_id\$q\$),
 ('nps ungrouped', \$q\$SELECT nps(score), nps_margin(score, 0.9), nps_agg(score) FROM nps_responses\$q\$),
 ('revenue by industry', \$q\$SELECT industry, nrr(s, e), grr(s, e), mrr_bridge(s, e, paid_before), revenue_agg(s, e, paid_before) FROM ($revenue) r GROUP BY industry\$q\$),
 ('churn by quarter', \$q\$SELECT q.lo, churn_rate(c.started, c.ended, daterange(q.lo, q.hi)), churn_agg(c.started, c.ended, daterange(q.lo, q.hi)) FROM ($customers) c, ($quarters) q GROUP BY q.lo\$q\$),
 ('customer churn by quarter', \$q\$SELECT q.lo, churn_agg(s.account_id::bigint, s.started_on, s.ended_on, daterange(q.lo, q.hi)) FROM subscriptions s, ($quarters) q GROUP BY q.lo\$q\$),
 ('survival by band', \$q\$SELECT size_band, survival_agg(days, churned), median_lifetime(survival_agg(days, churned)) FROM ($lifetimes) l GROUP BY size_band\$q\$),
 ('survival curve', \$q\$SELECT c.* FROM survival_curve((SELECT survival_agg(days, churned) FROM ($lifetimes) l)) c\$q\$),
 ('funnel by region', \$q\$SELECT a.region, funnel_agg(coalesce(f.furthest, 'churned'), f.churned) FROM ($furthest) f JOIN accounts a USING (account_id) GROUP BY a.region\$q\$),
 ('funnel stages', \$q\$SELECT s.* FROM funnel_stages((SELECT funnel_agg(coalesce(furthest, 'churned'), churned) FROM ($furthest) f)) s\$q\$);
-- every row of the answer as text (floats print exactly), sorted, one string
CREATE FUNCTION pg_temp.answer(sql text, schema text, partitionwise bool) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE r text;
BEGIN
	PERFORM set_config('search_path', schema || ', public', true);
	PERFORM set_config('enable_partitionwise_aggregate', partitionwise::text, true);
	PERFORM set_config('enable_partitionwise_join', partitionwise::text, true);
	EXECUTE format('SELECT count(*) || E'' rows\n'' || string_agg(x::text, E''\n'' ORDER BY x::text) FROM (%s) x', sql) INTO r;
	RETURN r;
END \$\$;
SELECT name, split_part(o, E'\n', 1),
       (p IS NOT DISTINCT FROM o)::int + (n IS NOT DISTINCT FROM o)::int,
       (SELECT count(*) FROM regexp_split_to_table(o, E'\n') l WHERE l ~ '^\(')
FROM (SELECT name, pg_temp.answer(sql, 'single', false) AS o, pg_temp.answer(sql, 'dist', true) AS p,
             pg_temp.answer(sql, 'dist', false) AS n FROM q) x;
SQL
)
while IFS='|' read -r name rows same _; do
	name=${name% } rows=${rows# } rows=${rows% } same=${same// /}
	if [ "$same" = 2 ] && [[ ! $rows =~ ^0\  ]]; then
		echo "multinode: over dist, partitionwise on and off = single node: $name ($rows)"
	else
		echo "multinode: FAIL over dist: $name ($rows) differs from the single node (equal in $same of 2 plans)" >&2
		fail=1
	fi
done <<<"$direct_out"
[ "$(echo "$direct_out" | wc -l)" -eq 10 ] || { echo "multinode: FAIL not every query of part 3 ran" >&2; fail=1; }

if [ "$fail" -ne 0 ]; then
	echo "multinode: FAILED" >&2
	exit 1
fi
echo "multinode: passed in $(($(date +%s) - start)) s (3 servers, ${ports[*]})"
