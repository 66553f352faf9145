#!/usr/bin/env bash
# pg_dump and restore of tables holding abm types and states, a materialized
# view built on abm aggregates and an index on a lifecycle_stage column:
# the restored database must hold the same data and use the index.
# Runs inside test/run (PGHOST/PGPORT/PGUSER point at the throwaway cluster).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

src=abm_dump_src
dst=abm_dump_dst
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$ABM_PGBIN/dropdb" --if-exists "$src" 2>/dev/null
"$ABM_PGBIN/dropdb" --if-exists "$dst" 2>/dev/null
"$ABM_PGBIN/createdb" "$src"
"$ABM_PGBIN/createdb" "$dst"

abm_psql -d "$src" <<'SQL'
CREATE SCHEMA analytics;
CREATE EXTENSION abm SCHEMA analytics;
SET search_path = public, analytics;
CREATE TABLE accounts (account_id int PRIMARY KEY, stage analytics.lifecycle_stage NOT NULL);
INSERT INTO accounts
SELECT g, (ARRAY['target','aware','engaged','opportunity','onboarding','active','renewing','expanding','advocate','churned'])[1 + abs(hashint4(g)) % 10]::analytics.lifecycle_stage
FROM generate_series(1, 5000) g;
CREATE INDEX accounts_stage ON accounts (stage);
CREATE TABLE answers (id int, account_id int, answered_on date, score int, class analytics.nps_class);
INSERT INTO answers
SELECT g, 1 + g % 5000, date '2025-01-01' + g % 200, abs(hashint4(g)) % 11, analytics.nps_class(abs(hashint4(g)) % 11)
FROM generate_series(1, 40000) g;
CREATE MATERIALIZED VIEW nps_daily AS
SELECT answered_on, analytics.nps_agg(score) AS st FROM answers GROUP BY answered_on;
CREATE TABLE stored_states (label text, st analytics.nps_state);
INSERT INTO stored_states VALUES ('all', (SELECT analytics.rollup(st) FROM nps_daily)), ('none', NULL);
CREATE TABLE stored_survival (cohort int, st analytics.survival_state);
INSERT INTO stored_survival
SELECT g % 5, analytics.survival_agg((g * 37 % 400) / 7.0::float8, g % 3 = 0) FROM generate_series(1, 2000) g GROUP BY 1;
SQL

"$ABM_PGBIN/pg_dump" -Fc -f "$work/dump" "$src"
"$ABM_PGBIN/pg_restore" --exit-on-error -d "$dst" "$work/dump"

snapshot() {
	abm_psql -d "$1" -At <<'SQL'
SET search_path = public, analytics;
SELECT 'accounts', count(*), string_agg(stage::text, ',' ORDER BY account_id) FROM accounts;
SELECT 'survival', string_agg(format('%s %s %s', cohort, median_lifetime(st), st), ';' ORDER BY cohort) FROM stored_survival;
SELECT 'stages', string_agg(s || '=' || n, ',' ORDER BY s) FROM (SELECT stage s, count(*) n FROM accounts GROUP BY 1) x;
SELECT 'answers', count(*), sum(score), string_agg(DISTINCT class::text, ',') FROM answers;
SELECT 'daily', count(*), string_agg(st::text, ';' ORDER BY answered_on) FROM nps_daily;
SELECT 'quarter', date_trunc('quarter', answered_on)::date, rollup(st), round(nps(rollup(st))::numeric, 9) FROM nps_daily GROUP BY 2 ORDER BY 2;
SELECT 'stored', label, st FROM stored_states ORDER BY label;
SELECT 'extension', extname, extversion, nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'abm';
SQL
}

snapshot "$src" >"$work/src.txt"
snapshot "$dst" >"$work/dst.txt"
if ! diff -u "$work/src.txt" "$work/dst.txt"; then
	echo "dump_restore: restored database differs" >&2
	exit 1
fi
[ "$(wc -l <"$work/src.txt")" -ge 8 ] || { echo "dump_restore: snapshot too short" >&2; cat "$work/src.txt"; exit 1; }

plan=$(abm_psql -d "$dst" -At -c "SET search_path = public, analytics; SET enable_seqscan = off; SET enable_bitmapscan = off; EXPLAIN (COSTS OFF) SELECT count(*) FROM accounts WHERE stage = 'renewing'")
echo "$plan" | grep -q "accounts_stage" || { echo "dump_restore: index not used after restore: $plan" >&2; exit 1; }

# the restored materialized view refreshes with the restored aggregates
abm_psql -d "$dst" -c "REFRESH MATERIALIZED VIEW nps_daily"
snapshot "$dst" >"$work/dst2.txt"
diff -u "$work/src.txt" "$work/dst2.txt" >/dev/null || { echo "dump_restore: refresh changed the view" >&2; exit 1; }

"$ABM_PGBIN/dropdb" "$src"
"$ABM_PGBIN/dropdb" "$dst"
echo "dump_restore: $(wc -l <"$work/src.txt") snapshot lines identical after pg_dump/pg_restore and refresh; index used"
