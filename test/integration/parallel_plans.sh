#!/usr/bin/env bash
# Parallel plans for every aggregate of abm.  In a fresh database
# abm_parallel_plans with CREATE EXTENSION abm, on tables of a few thousand
# rows, with parallel query made free (parallel_setup_cost = 0,
# parallel_tuple_cost = 0, min_parallel_table_scan_size = 0,
# max_parallel_workers_per_gather = 2, and parallel_leader_participation =
# off so that the rows go through the workers' partial states), for each
# aggregate read from the catalog (pg_aggregate joined to pg_depend on the
# extension):
#   - EXPLAIN (COSTS OFF) of the ungrouped call shows Finalize Aggregate over
#     Gather (or Gather Merge) over Partial Aggregate, and so does the call
#     grouped by a column of 6 values (Partial HashAggregate or
#     GroupAggregate under the Gather);
#   - workers do launch: EXPLAIN ANALYZE of count(*) over each table the
#     calls read shows Workers Launched > 0 (once per table: a launch costs
#     about 35 ms on a busy 2-core machine, too much to repeat per aggregate);
#   - the parallel answer equals the serial one (max_parallel_workers_per_gather
#     = 0), ungrouped and per group, compared as ::text; where a result is a
#     float that differs in the last bits (float sums merged in another
#     order), within 1e-12 relative, and the script says which did.
# The calls are sql/distributed.sql's agg_calls, read from it.  Fails if an
# aggregate of the extension has no call here, if a call names an aggregate
# that no longer exists, or if an aggregate lacks a parallel plan and is not
# in no_parallel below (each with the reason why its plan cannot be
# parallel: none today).  Prints "ok"/"FAILED" per aggregate, then
# "parallel_plans: N aggregates, M failed".
# Runs inside test/run (PGHOST/PGPORT/PGUSER point at the throwaway cluster),
# or alone with its own cluster: bash test/integration/parallel_plans.sh (as
# root; expects abm installed: make install).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

if [ -z "${ABM_SERVER_LOG:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "run as root (the cluster runs as user postgres)" >&2; exit 2; }
	export ABM_PGPORT=${ABM_PGPORT:-54352}
	abm_pg_start
fi

db=abm_parallel_plans
"$ABM_PGBIN/dropdb" --if-exists "$db" 2>/dev/null
"$ABM_PGBIN/createdb" "$db"

# the CREATE TABLE agg_calls and INSERT INTO agg_calls of sql/distributed.sql, as they are
agg_calls=$(awk '/^CREATE TABLE agg_calls/ { on = 1 } on { print } on && /^INSERT INTO agg_calls/ { ins = 1 }
	ins && /\);[[:space:]]*$/ { exit }' sql/distributed.sql)
grep -q "^INSERT INTO agg_calls" <<<"$agg_calls" || { echo "parallel_plans: no agg_calls in sql/distributed.sql"; exit 1; }
# and the tables they read, with 6,000 answers instead of 20,000
dist_tables=$(awk '/^CREATE TABLE dist_answers AS/ { on = 1 } on { sub(/generate_series\(1, 20000\)/, "generate_series(1, 6000)"); print }
	on && /^FROM dist_schedules GROUP BY 1, 2, 3;/ { exit }' sql/distributed.sql)
grep -q "generate_series(1, 6000)" <<<"$dist_tables" && grep -q "^CREATE TABLE dist_cohorts" <<<"$dist_tables" ||
	{ echo "parallel_plans: the tables of sql/distributed.sql not found"; exit 1; }
out=$(abm_psql -d "$db" -At -v agg_calls="$agg_calls" -v dist_tables="$dist_tables" <<'SQL'
CREATE EXTENSION abm;
\set QUIET on

-- the tables of sql/distributed.sql (6,000 answers here), read from there
:dist_tables
VACUUM ANALYZE dist_answers, dist_states, dist_schedules, dist_cohorts;

-- how this test calls each aggregate: sql/distributed.sql's agg_calls, read from there
:agg_calls

-- Aggregates whose plan cannot be parallel by design, each with the reason.
-- None today: every aggregate of abm is PARALLEL SAFE, keeps a real type as
-- its transition value and has a combine function.
CREATE TABLE no_parallel (agg regprocedure PRIMARY KEY, reason text NOT NULL);

CREATE TABLE results (agg regprocedure, ok boolean, note text);

-- every aggregate of the extension has a call
INSERT INTO results
SELECT a.aggfnoid::regprocedure, false, 'no call: add one to agg_calls in sql/distributed.sql'
FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.classid = 'pg_proc'::regclass
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND a.aggfnoid NOT IN (SELECT agg FROM agg_calls);
-- and every call is of an aggregate of the extension (a dropped one fails the cast above)
INSERT INTO results
SELECT c.agg, false, 'not an aggregate of the extension abm'
FROM agg_calls c
WHERE NOT EXISTS (SELECT FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.classid = 'pg_proc'::regclass
                  WHERE a.aggfnoid = c.agg AND d.refclassid = 'pg_extension'::regclass
                    AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm'));

-- equal as text, or both numbers within 1e-12 relative; says which
CREATE FUNCTION pg_temp.compare(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN a IS NOT DISTINCT FROM b THEN 'exact'
	            WHEN a ~ '^-?[0-9.]+(e[-+]?[0-9]+)?$' AND b ~ '^-?[0-9.]+(e[-+]?[0-9]+)?$'
	                 AND abs(a::float8 - b::float8) <= 1e-12 * greatest(1e-300, abs(a::float8)) THEN 'float'
	            ELSE 'different' END
$$;

-- where Partial Aggregate lies under a Gather, in a plan's text: a Gather
-- line, then (more indented) a Partial aggregate line, and Finalize above
CREATE FUNCTION pg_temp.parallel_plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	l text;
	plan text := '';
	gather_indent int;
	finalize boolean := false;
	partial boolean := false;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || l || E'\n';
		IF l ~ 'Finalize (Hash|Group)?Aggregate' AND gather_indent IS NULL THEN
			finalize := true;
		ELSIF l ~ '->  Gather( Merge)?$' AND gather_indent IS NULL THEN
			gather_indent := length(substring(l FROM '^ *'));
		ELSIF l ~ 'Partial (Hash|Group)?Aggregate' AND gather_indent IS NOT NULL
		      AND length(substring(l FROM '^ *')) > gather_indent THEN
			partial := true;
		END IF;
	END LOOP;
	RETURN CASE WHEN finalize AND partial THEN NULL ELSE plan END;
END $$;

CREATE FUNCTION pg_temp.workers_launched(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE p json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || q INTO p;
	RETURN coalesce((regexp_match(p::text, '"Workers Launched": ([0-9]+)'))[1]::int, 0);
END $$;

-- parallel query for free, the rows through the workers
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

-- workers launch (and take rows: parallel_leader_participation is off) on every table read
INSERT INTO results
SELECT NULL, n > 0, format('%s of 2 workers launched for a parallel scan of %s', n, source)
FROM (SELECT source, pg_temp.workers_launched(format('SELECT count(*) FROM %s', source)) AS n
      FROM (SELECT DISTINCT source FROM agg_calls) s) w;

DO $$
DECLARE
	c record;
	aggname text;
	q_all text;
	q_grouped text;
	serial_all text;
	serial_grouped text;
	par_all text;
	par_grouped text;
	bad_all text;
	bad_grouped text;
	cmp text;
	cmp_grouped text;
	notes text[];
BEGIN
	FOR c IN
		SELECT i.agg, i.args, i.source, n.reason
		FROM agg_calls i LEFT JOIN no_parallel n USING (agg)
		WHERE i.agg NOT IN (SELECT agg FROM results WHERE agg IS NOT NULL)
		ORDER BY i.agg::text
	LOOP
		notes := '{}';
		aggname := regexp_replace(c.agg::text, '\(.*', '');
		q_all := format('SELECT %s(%s)::text FROM %s', aggname, c.args, c.source);
		q_grouped := format('SELECT segment, %s(%s)::text AS r FROM %s GROUP BY segment', aggname, c.args, c.source);

		PERFORM set_config('max_parallel_workers_per_gather', '0', true);
		EXECUTE q_all INTO serial_all;
		EXECUTE format('SELECT json_object_agg(segment, r ORDER BY segment)::text FROM (%s) x', q_grouped)
			INTO serial_grouped;

		PERFORM set_config('max_parallel_workers_per_gather', '2', true);
		bad_all := pg_temp.parallel_plan(q_all);
		bad_grouped := pg_temp.parallel_plan(q_grouped);
		IF c.reason IS NOT NULL THEN
			IF bad_all IS NULL OR bad_grouped IS NULL THEN
				notes := notes || format('listed in no_parallel (%s) but has a parallel plan: take it off the list', c.reason);
			END IF;
			INSERT INTO results VALUES (c.agg, cardinality(notes) = 0,
			                            coalesce(notes[1], 'no parallel plan, as listed: ' || c.reason));
			CONTINUE;
		END IF;
		IF bad_all IS NOT NULL THEN
			notes := notes || ('no Partial Aggregate under a Gather, ungrouped:' || E'\n' || bad_all);
		END IF;
		IF bad_grouped IS NOT NULL THEN
			notes := notes || ('no Partial Aggregate under a Gather, grouped:' || E'\n' || bad_grouped);
		END IF;
		EXECUTE q_all INTO par_all;
		EXECUTE format('SELECT json_object_agg(segment, r ORDER BY segment)::text FROM (%s) x', q_grouped)
			INTO par_grouped;
		cmp := pg_temp.compare(par_all, serial_all);
		IF cmp = 'different' THEN
			notes := notes || format('ungrouped: parallel %s, serial %s', left(par_all, 300), left(serial_all, 300));
		END IF;
		-- per group, as text or within 1e-12
		SELECT CASE WHEN count(*) FILTER (WHERE s.key IS NULL OR p.key IS NULL) > 0 THEN 'different'
		            ELSE coalesce(max(pg_temp.compare(p.value, s.value)) FILTER (WHERE pg_temp.compare(p.value, s.value) <> 'exact'), 'exact') END
		INTO cmp_grouped
		FROM json_each_text(par_grouped::json) p FULL JOIN json_each_text(serial_grouped::json) s USING (key);
		IF cmp_grouped = 'different' THEN
			notes := notes || format('grouped by segment: parallel %s, serial %s', left(par_grouped, 300), left(serial_grouped, 300));
		END IF;
		INSERT INTO results VALUES (c.agg, cardinality(notes) = 0,
			CASE WHEN cardinality(notes) > 0 THEN array_to_string(notes, E'\n')
			     ELSE format('Partial Aggregate under Gather, ungrouped and by segment; answers equal %s',
			                 CASE WHEN 'float' IN (cmp, cmp_grouped) THEN 'within 1e-12 (float sums in another order)'
			                               ELSE 'as text' END) END);
	END LOOP;
END $$;

SELECT CASE WHEN ok THEN 'ok' ELSE 'FAILED' END || ' ' || coalesce(agg::text, '(workers)') || ': ' || note
FROM results ORDER BY agg::text NULLS FIRST, note;
SELECT format('parallel_plans: %s aggregates, %s failed, %s without a parallel plan as listed',
              count(agg), count(*) FILTER (WHERE NOT ok),
              (SELECT count(*) FROM no_parallel))
FROM results;
SQL
) || { echo "$out"; echo "parallel_plans: psql failed"; exit 1; }
echo "$out"
"$ABM_PGBIN/dropdb" --if-exists "$db"
! grep -q '^FAILED' <<<"$out" && grep -q '^parallel_plans: [1-9][0-9]* aggregates, 0 failed' <<<"$out"
