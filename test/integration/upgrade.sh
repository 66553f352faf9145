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
SELECT format('function %s: %s %s %s %s %s %s %s', p.oid::regprocedure, p.prorettype::regtype, p.provolatile,
              p.proparallel, p.proisstrict, p.proleakproof, p.prosrc, pg_get_function_arguments(p.oid))
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
"$ABM_PGBIN/dropdb" $up
"$ABM_PGBIN/dropdb" $fresh
echo "upgrade: $oldest -> $current keeps dependent objects working; $(wc -l <"$work/fresh.txt") catalog lines equal a fresh install"
