#!/usr/bin/env bash
# ALTER EXTENSION abm UPDATE along every upgrade step: installs the oldest
# version, creates objects that depend on it (a table with a lifecycle_stage
# column and its index, a view, a materialized view), updates to the current
# version, checks the dependent objects still work, and compares the
# extension's catalog entries with a fresh install of the current version.
# Runs inside test/run (PGHOST/PGPORT/PGUSER point at the throwaway cluster).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" abm.control)
oldest=1.0
up=abm_upgraded
fresh=abm_fresh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for db in $up $fresh; do
	"$ABM_PGBIN/dropdb" --if-exists "$db" 2>/dev/null
	"$ABM_PGBIN/createdb" "$db"
done

abm_psql -d $up <<SQL
CREATE EXTENSION abm VERSION '$oldest';
CREATE TABLE accounts (account_id int PRIMARY KEY, stage lifecycle_stage NOT NULL);
INSERT INTO accounts
SELECT g, (lifecycle_stage_labels())[1 + abs(hashint4(g)) % 10] FROM generate_series(1, 3000) g;
CREATE INDEX accounts_stage ON accounts (stage);
CREATE VIEW customers AS SELECT account_id, stage, lifecycle_phase(stage) FROM accounts WHERE is_customer(stage);
CREATE MATERIALIZED VIEW furthest AS SELECT max(stage) AS furthest, count(*) FROM accounts GROUP BY account_id % 10;
SQL
before=$(abm_psql -d $up -At -c "SELECT count(*), max(stage) FROM customers; SELECT string_agg(furthest::text, ',' ORDER BY furthest) FROM furthest")

abm_psql -d $up -c "ALTER EXTENSION abm UPDATE"
abm_psql -d $fresh -c "CREATE EXTENSION abm"

version=$(abm_psql -d $up -At -c "SELECT extversion FROM pg_extension WHERE extname = 'abm'")
[ "$version" = "$current" ] || { echo "upgrade: reached version $version, expected $current" >&2; exit 1; }

# dependent objects still work, and the new version's objects are there
abm_psql -d $up -c "REFRESH MATERIALIZED VIEW furthest"
after=$(abm_psql -d $up -At -c "SELECT count(*), max(stage) FROM customers; SELECT string_agg(furthest::text, ',' ORDER BY furthest) FROM furthest")
[ "$before" = "$after" ] || { echo "upgrade: dependent objects changed: $before / $after" >&2; exit 1; }
plan=$(abm_psql -d $up -At -c "SET enable_seqscan = off; SET enable_bitmapscan = off; EXPLAIN (COSTS OFF) SELECT * FROM accounts WHERE stage = 'renewing'")
echo "$plan" | grep -q accounts_stage || { echo "upgrade: index not used: $plan" >&2; exit 1; }
abm_psql -d $up -At -c "SELECT nps(s), nps_class(9) FROM (VALUES (9), (10), (3)) v(s)" | grep -q '33.3' ||
	{ echo "upgrade: new functions do not work" >&2; exit 1; }

# the upgraded catalog equals a fresh install's: every member object, its
# comment, and the definition of every function, aggregate, type, operator
catalog() {
	abm_psql -d "$1" -At <<'SQL'
WITH members AS (
  SELECT classid, objid FROM pg_depend
  WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
    AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm'))
SELECT pg_describe_object(classid, objid, 0) || ' | ' || coalesce(obj_description(objid, classid::regclass::name), '(no comment)')
FROM members
UNION ALL
SELECT format('function %s: %s %s %s %s %s %s %s %s', p.oid::regprocedure, p.prorettype::regtype, p.provolatile,
              p.proparallel, p.proisstrict, p.proleakproof, (SELECT lanname FROM pg_language WHERE oid = p.prolang),
              p.prosrc, pg_get_function_arguments(p.oid))
FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT format('aggregate %s: %s %s %s %s %s %s %s %s %s %s %s %s %s', a.aggfnoid::regprocedure, a.aggtransfn, a.aggfinalfn,
              a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn,
              a.aggfinalmodify, a.aggsortop::regoperator, a.aggtranstype::regtype, a.aggtransspace, a.aggmtransspace)
FROM pg_aggregate a JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
UNION ALL
SELECT format('type %s: %s %s %s %s %s %s %s %s', t.oid::regtype, t.typlen, t.typbyval, t.typalign, t.typstorage,
              t.typinput, t.typoutput, t.typreceive, t.typsend)
FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
SELECT format('operator %s: %s %s %s %s %s %s', o.oid::regoperator, o.oprcode, o.oprcom::regoperator,
              o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanhash)
FROM pg_operator o JOIN members m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
ORDER BY 1;
SQL
}
catalog $up >"$work/upgraded.txt"
catalog $fresh >"$work/fresh.txt"
if ! diff -u "$work/fresh.txt" "$work/upgraded.txt"; then
	echo "upgrade: the catalog after ALTER EXTENSION UPDATE differs from a fresh install of $current" >&2
	exit 1
fi

# Aggregates retyped by an upgrade step (pg_aggregate and pg_depend updated
# in place, so that views over them survive) must be exactly what CREATE
# AGGREGATE makes of the same definition: each abm aggregate gets a twin
# created from its catalog row, and the rows and dependencies must match.
twins() {
	abm_psql -d "$1" -At <<'SQL'
SET client_min_messages = warning;
CREATE SCHEMA twin;
DO $$
DECLARE
	a record;
	n int := 0;
BEGIN
	FOR a IN
		SELECT g.*, p.proname
		FROM pg_aggregate g JOIN pg_proc p ON p.oid = g.aggfnoid
		JOIN pg_depend d ON d.objid = g.aggfnoid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
		WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
	LOOP
		n := n + 1;
		EXECUTE format('CREATE AGGREGATE twin.%I(%s) (SFUNC = %s, STYPE = %s, SSPACE = %s%s%s%s%s%s%s, PARALLEL = SAFE)',
			a.proname, pg_get_function_identity_arguments(a.aggfnoid), a.aggtransfn::regprocedure::regproc,
			a.aggtranstype::regtype, a.aggtransspace,
			CASE WHEN a.aggfinalfn <> 0 THEN format(', FINALFUNC = %s, FINALFUNC_MODIFY = READ_ONLY', a.aggfinalfn) ELSE '' END,
			CASE WHEN a.aggcombinefn <> 0 THEN format(', COMBINEFUNC = %s', a.aggcombinefn) ELSE '' END,
			CASE WHEN a.aggmtransfn <> 0 THEN format(', MSFUNC = %s, MINVFUNC = %s, MSTYPE = %s, MSSPACE = %s',
			                                          a.aggmtransfn, a.aggminvtransfn, a.aggmtranstype::regtype, a.aggmtransspace) ELSE '' END,
			CASE WHEN a.aggmfinalfn <> 0 THEN format(', MFINALFUNC = %s, MFINALFUNC_MODIFY = READ_ONLY', a.aggmfinalfn) ELSE '' END,
			CASE WHEN a.aggsortop <> 0 THEN format(', SORTOP = %s', (SELECT oprname FROM pg_operator WHERE oid = a.aggsortop)) ELSE '' END,
			CASE WHEN a.agginitval IS NOT NULL THEN format(', INITCOND = %L', a.agginitval) ELSE '' END);
	END LOOP;
END $$;
WITH abm AS (
  SELECT g.aggfnoid AS agg, p.proname, pg_get_function_identity_arguments(g.aggfnoid) AS args
  FROM pg_aggregate g JOIN pg_proc p ON p.oid = g.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname <> 'twin'
    AND g.aggfnoid IN (SELECT objid FROM pg_depend WHERE deptype = 'e'
                       AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm'))),
pairs AS (
  SELECT abm.agg, t.oid AS twin FROM abm
  JOIN pg_proc t ON t.proname = abm.proname AND pg_get_function_identity_arguments(t.oid) = abm.args
   AND t.pronamespace = 'twin'::regnamespace),
rows_differ AS (
  SELECT p.agg::regprocedure AS aggregate, 'pg_aggregate row' AS what
  FROM pairs p JOIN pg_aggregate a ON a.aggfnoid = p.agg JOIN pg_aggregate b ON b.aggfnoid = p.twin
  WHERE (a.aggkind, a.aggnumdirectargs, a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
         a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify,
         a.aggmfinalmodify, a.aggsortop, a.aggtranstype, a.aggtransspace, a.aggmtranstype, a.aggmtransspace,
         a.agginitval, a.aggminitval)
     IS DISTINCT FROM
        (b.aggkind, b.aggnumdirectargs, b.aggtransfn, b.aggfinalfn, b.aggcombinefn, b.aggserialfn, b.aggdeserialfn,
         b.aggmtransfn, b.aggminvtransfn, b.aggmfinalfn, b.aggfinalextra, b.aggmfinalextra, b.aggfinalmodify,
         b.aggmfinalmodify, b.aggsortop, b.aggtranstype, b.aggtransspace, b.aggmtranstype, b.aggmtransspace,
         b.agginitval, b.aggminitval)),
deps AS (
  SELECT p.agg, 'abm' AS side, d.refclassid, d.refobjid, d.deptype FROM pairs p JOIN pg_depend d ON d.objid = p.agg
  WHERE d.classid = 'pg_proc'::regclass AND d.refclassid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_operator'::regclass)
  UNION ALL
  SELECT p.agg, 'twin', d.refclassid, d.refobjid, d.deptype FROM pairs p JOIN pg_depend d ON d.objid = p.twin
  WHERE d.classid = 'pg_proc'::regclass AND d.refclassid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_operator'::regclass)),
deps_differ AS (
  SELECT agg::regprocedure, 'dependency on ' || pg_describe_object(refclassid, refobjid, 0) || ' only in ' || min(side)
  FROM deps GROUP BY agg, refclassid, refobjid, deptype HAVING count(*) <> 2)
SELECT format('%s: %s', aggregate, what) FROM rows_differ
UNION ALL SELECT format('%s: %s', agg, "?column?") FROM deps_differ
UNION ALL SELECT 'no twin for ' || agg::regprocedure FROM abm WHERE agg NOT IN (SELECT agg FROM pairs)
UNION ALL SELECT format('checked %s aggregates', count(*)) FROM pairs
ORDER BY 1;
DROP SCHEMA twin CASCADE;
SQL
}
for db in $up $fresh; do
	out=$(twins $db 2>&1) || true
	echo "$out" | grep -q '^checked [1-9]' && [ "$(echo "$out" | wc -l)" -eq 1 ] || {
		echo "upgrade: aggregates of $db differ from what CREATE AGGREGATE makes:" >&2
		echo "$out" >&2
		exit 1
	}
done
echo "upgrade: $(twins $fresh | sed 's/checked //') equal CREATE AGGREGATE twins (pg_aggregate and pg_depend)"

# States stored by abm 1.1 stay readable after the update: a table of
# nps_state and csat_state values stored as 1.1 stores them (the version 1
# datum), a materialized view of daily states and a view over
# nps_margin(score, confidence) defined under 1.1; and a database still at
# 1.1 with this library says what to do.
old=abm_states_1_1
"$ABM_PGBIN/dropdb" --if-exists "$old" 2>/dev/null
"$ABM_PGBIN/createdb" "$old"
abm_psql -d $old <<'SQL'
CREATE EXTENSION abm VERSION '1.1';
CREATE TABLE answers AS
SELECT g AS id, g % 40 AS day, abs(hashint4(g)) % 11 AS score, 1 + abs(hashint4(g + 1)) % 5 AS csat
FROM generate_series(1, 5000) g;
-- the bytes abm 1.1 stores (its version 1 binary form: a version byte and
-- big-endian counts), written through a binary-coercible cast, since the
-- library installed now writes version 2
CREATE CAST (bytea AS nps_state) WITHOUT FUNCTION;
CREATE CAST (bytea AS csat_state) WITHOUT FUNCTION;
CREATE CAST (nps_state AS bytea) WITHOUT FUNCTION;
CREATE TABLE stored (day int, nps_st nps_state, csat_st csat_state);
INSERT INTO stored
SELECT day,
       ('\x01'::bytea || int8send(count(*) FILTER (WHERE score <= 6)) || int8send(count(*) FILTER (WHERE score BETWEEN 7 AND 8))
        || int8send(count(*) FILTER (WHERE score >= 9)))::nps_state,
       ('\x01'::bytea || int8send(count(*) FILTER (WHERE csat >= 4)) || int8send(count(*)))::csat_state
FROM answers GROUP BY day;
CREATE MATERIALIZED VIEW daily AS SELECT day, nps_agg(score) AS st, csat_agg(csat) AS cst FROM answers GROUP BY day
WITH NO DATA;
CREATE VIEW margins AS SELECT day % 4 AS q, nps(score), nps_margin(score, 0.9) FROM answers GROUP BY 1;
SQL
v1=$(abm_psql -d $old -At -c "SELECT count(*) FROM stored WHERE substr(nps_st::bytea, 1, 1) = '\x01'::bytea")
stored_before=$(abm_psql -d $old -At -c "SELECT string_agg(format('%s %s %s', day, nps_st, csat_st), ';' ORDER BY day) FROM stored")
abm_psql -d $old -c "DROP CAST (bytea AS nps_state); DROP CAST (bytea AS csat_state); DROP CAST (nps_state AS bytea)"

# this library with a database still at 1.1: a clear error, not a crash
stale=$(abm_psql -d $old -At -c "SELECT nps(score) FROM answers" 2>&1 || true)
echo "$stale" | grep -q 'ALTER EXTENSION abm UPDATE' ||
	{ echo "upgrade: a 1.1 aggregate with this library: $stale" >&2; exit 1; }

abm_psql -d $old -c "ALTER EXTENSION abm UPDATE"
stored_after=$(abm_psql -d $old -At -c "SELECT string_agg(format('%s %s %s', day, nps_st, csat_st), ';' ORDER BY day) FROM stored")
[ "$stored_before" = "$stored_after" ] || { echo "upgrade: stored states read differently after the update" >&2; exit 1; }
# stored states roll up and equal a direct computation; the view and the
# materialized view defined under 1.1 work
abm_psql -d $old -At <<'SQL' >"$work/rollups.txt"
REFRESH MATERIALIZED VIEW daily;
SELECT (SELECT rollup(nps_st)::text FROM stored) = (SELECT nps_agg(score)::text FROM answers),
       (SELECT rollup(csat_st)::text FROM stored) = (SELECT csat_agg(csat)::text FROM answers),
       (SELECT rollup(st)::text FROM daily) = (SELECT rollup(nps_st)::text FROM stored),
       (SELECT bool_and(s.nps_st::text = d.st::text AND s.csat_st::text = d.cst::text) FROM stored s JOIN daily d USING (day)),
       (SELECT count(*) FROM margins WHERE nps_margin > 0) = 4;
SQL
[ "$(tr -d '\n' <"$work/rollups.txt")" = "t|t|t|t|t" ] ||
	{ echo "upgrade: stored 1.1 states do not roll up to the direct computation: $(cat "$work/rollups.txt")" >&2; exit 1; }
"$ABM_PGBIN/dropdb" $old

# One upgrade step, in a database of its own: install version $1, run the
# set-up SQL on stdin, read query $3 before and after ALTER EXTENSION UPDATE
# TO $2 (stored states and views must read the same), then query $4 (the
# new version's functions) must print $5, its lines joined by spaces.
one_step() {
	local from=$1 to=$2 stored=$3 fresh=$4 expect=$5 db=abm_from_${1//./} before after got
	"$ABM_PGBIN/dropdb" --if-exists "$db" 2>/dev/null
	"$ABM_PGBIN/createdb" "$db"
	abm_psql -d "$db" -q -c "CREATE EXTENSION abm VERSION '$from'"
	abm_psql -d "$db" -q
	before=$(abm_psql -d "$db" -At -c "$stored")
	abm_psql -d "$db" -q -c "ALTER EXTENSION abm UPDATE TO '$to'"
	after=$(abm_psql -d "$db" -At -c "$stored")
	[ "$before" = "$after" ] || { echo "upgrade: $from states or views read differently after the update to $to" >&2; exit 1; }
	got=$(abm_psql -d "$db" -At -c "$fresh")
	[ "$(echo $got)" = "$expect" ] || { echo "upgrade: $to functions after $from -> $to: $got" >&2; exit 1; }
	"$ABM_PGBIN/dropdb" "$db"
}

# 1.3 -> 1.4: survival and churn states and a view over churn_rate; the revenue functions
one_step 1.3 1.4 \
	"SELECT string_agg(format('%s %s %s', segment, sv, ch), ';' ORDER BY segment) FROM stored13; SELECT string_agg(churn_rate::text, ',' ORDER BY segment) FROM churn13" \
	"SELECT (mrr_bridge(p, c)).ending, nrr(p, c), (SELECT count(*) FROM mrr_months((SELECT mrr_schedule(date '2024-01-01', date '2024-04-01', 10.5)), date '2024-12-31')) FROM (VALUES (10.00, 12.5), (5, 0)) v(p, c)" \
	"12.50|0.83333333333333333333|4" <<'SQL'
CREATE TABLE lifetimes AS SELECT g AS id, (g * 37) % 400 AS days, g % 3 = 0 AS churned,
       date '2024-01-01' + g % 500 AS started, CASE WHEN g % 4 = 0 THEN NULL ELSE date '2024-01-01' + g % 500 + g % 300 END AS ended
FROM generate_series(1, 2000) g;
CREATE TABLE stored13 AS SELECT id % 5 AS segment, survival_agg(days, churned) AS sv,
       churn_agg(started, ended, daterange('2025-01-01', '2025-04-01')) AS ch FROM lifetimes GROUP BY 1;
CREATE VIEW churn13 AS SELECT id % 5 AS segment, churn_rate(started, ended, daterange('2025-01-01', '2025-04-01')) FROM lifetimes GROUP BY 1;
SQL

# 1.4 -> 1.5: revenue states, schedules and views, one over the revenue churn
# functions, which become C functions under it; the health and funnel functions
one_step 1.4 1.5 \
	"SELECT string_agg(format('%s %s %s %s', segment, rv, sc, np), ';' ORDER BY segment) FROM stored14; SELECT string_agg(format('%s %s', nrr, grr), ',' ORDER BY segment) FROM nrr14; SELECT string_agg(format('%s %s', gross, net), ',' ORDER BY segment) FROM revenue_churn14" \
	"SELECT account_health(usage => 0.4, nps => -20, relationship => 6), health_band(60), value_at_risk(1000.00, 45), (SELECT round(account_nps(np)::numeric, 6) FROM stored14), (SELECT count(*) FROM match_advocates(ARRAY[1, 2, 3], ARRAY[9], 2) WHERE advocate = 9), (SELECT reached(funnel_agg(s), 'aware') FROM unnest('{target,aware,advocate}'::lifecycle_stage[]) s), win_rate(w), tal_size(10, 20, 0.25, 0.1) FROM (VALUES (true), (false), (NULL), (true)) v(w); SELECT string_agg(l.lanname, ',' ORDER BY p.proname) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.proname IN ('gross_revenue_churn', 'net_revenue_churn')" \
	"45|at_risk|550.00|-45.500000|2|2|0.6666666666666666|8000 c,c" <<'SQL'
CREATE TABLE mrr AS SELECT g AS id, (g % 7) * 10.25 AS p, (g % 5) * 12.5 AS c,
       date '2024-01-01' + g % 300 AS started, date '2024-01-01' + g % 300 + 30 + g % 400 AS ended
FROM generate_series(1, 2000) g;
CREATE TABLE stored14 AS SELECT id % 5 AS segment, revenue_agg(p, c) AS rv,
       mrr_schedule(started, ended, c + 1) AS sc, nps_agg((id % 11)::int) AS np FROM mrr GROUP BY 1;
CREATE VIEW nrr14 AS SELECT id % 5 AS segment, nrr(p, c), grr(p, c) FROM mrr GROUP BY 1;
CREATE VIEW revenue_churn14 AS SELECT segment, gross_revenue_churn(rv) AS gross, net_revenue_churn(rv) AS net FROM stored14;
SQL

# 1.5 -> 1.6: funnel, proportion and path states and a view over
# account_health; attribution and engagement
one_step 1.5 1.6 \
	"SELECT string_agg(format('%s %s %s %s', segment, f, w, p), ';' ORDER BY segment) FROM stored15; SELECT string_agg(h::text, ',' ORDER BY account_id) FROM health15" \
	"SELECT string_agg(credit::text, ',' ORDER BY touch_position) FROM attribute('u_shaped', 100.01, '2025-03-01', ARRAY[1, 2, 3, 4], ARRAY[timestamptz '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04']); SELECT engagement(engagement_agg(w, d), '2026-01-02', '1 day') FROM (VALUES (4, date '2026-01-01'), (4, '2026-01-02')) v(w, d)" \
	"40.01,10.00,10.00,40.00 6" <<'SQL'
CREATE TABLE hist AS SELECT g % 50 AS account_id, (lifecycle_stage_labels())[1 + g % 9] AS stage,
       date '2024-01-01' + g % 400 AS entered_at, g % 3 = 0 AS won
FROM generate_series(1, 1500) g;
CREATE TABLE stored15 AS SELECT account_id % 5 AS segment, funnel_agg(stage) AS f, proportion_agg(won) AS w,
       stage_path(stage, entered_at) AS p FROM hist GROUP BY 1;
CREATE VIEW health15 AS SELECT account_id, account_health(usage => (account_id % 10) / 10.0, nps => account_id - 25) AS h
FROM (SELECT DISTINCT account_id FROM hist) a;
SQL

"$ABM_PGBIN/dropdb" $up
"$ABM_PGBIN/dropdb" $fresh
echo "upgrade: 1.3 -> 1.4 keeps stored states and views; the revenue functions work"
echo "upgrade: 1.4 -> 1.5 keeps stored revenue states, schedules and views (one over the revenue churn functions, now in C); the account health and funnel functions work"
echo "upgrade: 1.5 -> 1.6 keeps stored funnel, proportion and path states and a view over account_health; attribution and engagement work"
echo "upgrade: $oldest -> $current keeps dependent objects working; $(wc -l <"$work/fresh.txt") catalog lines equal a fresh install"
echo "upgrade: 1.1 -> $current reads the $v1 version-1 states stored by 1.1 as before; they roll up to the direct computation"
