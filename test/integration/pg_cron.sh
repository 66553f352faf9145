#!/usr/bin/env bash
# Rollups refreshed by pg_cron (Debian's postgresql-15-cron): a materialized
# view of daily states per day and industry (nps_agg and csat_agg) over the
# demo's sample CRM, refreshed by a job of cron.schedule('* * * * *', ...),
# answers monthly and quarterly NPS and CSAT exactly as the direct
# computation over the raw answers does, including the answers inserted
# after the view was built.
#   1. Its own throwaway server (pg_cron must be in shared_preload_libraries,
#      so not test/run's): socket in a mktemp -d /tmp/abm-cron.XXXXXX
#      directory, port ABM_CRON_PORT (54371); stopped and removed on exit.
#   2. Loads test/demo/crm_data.sql, builds the view, then inserts answers
#      (a new industry, a new month and quarter, existing days).
#   3. The check, run before the job exists: the view is stale, so the
#      rollups must differ from the direct computation (the check can fail).
#   4. Schedules REFRESH MATERIALIZED VIEW CONCURRENTLY every minute, waits
#      (at most 75 s: one minute boundary, and the next if the job was added
#      just at one) for a succeeded run in cron.job_run_details.
#   5. The check again: every (month or quarter, industry) group's rolled-up
#      states equal nps_agg(score) and csat_agg(score) over the raw rows (the
#      state text), and nps() and csat() of them equal nps(score) and
#      csat(score) as doubles, exactly.
# Runs inside test/run, or alone (then it installs and builds first, as
# test/run does): bash test/integration/pg_cron.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

if [ -z "${ABM_SERVER_LOG:-}" ]; then
	abm_install_deps
	abm_build_install
fi
if [ ! -f "$("$ABM_PGBIN/pg_config" --pkglibdir)/pg_cron.so" ]; then
	echo "pg_cron: pg_cron.so is not installed (apt-get install postgresql-15-cron)" >&2
	exit 1
fi

db=abm_cron
dir=$(mktemp -d /tmp/abm-cron.XXXXXX)
trap 'abm_cluster_stop "$dir"; rm -rf "$dir"' EXIT
export PGHOST=$dir PGPORT=${ABM_CRON_PORT:-54371} PGUSER=postgres
unset PGDATABASE PGOPTIONS

started=$SECONDS
# The server listens on its Unix socket only, so pg_cron runs each job in a
# background worker rather than over a libpq connection to cron.host
# (localhost by default, which has no listener here).
abm_cluster_create "$dir" "$PGPORT" \
	"shared_preload_libraries = 'pg_cron'" \
	"cron.database_name = '$db'" \
	"cron.use_background_workers = on"
# Until the database exists the pg_cron launcher exits and is restarted every
# second (a FATAL line each time in the server log); then it starts.
"$ABM_PGBIN/createdb" "$db"
abm_psql -d "$db" -c 'CREATE EXTENSION abm' -c 'CREATE EXTENSION pg_cron'
abm_psql -d "$db" -f test/demo/crm_data.sql >/dev/null
echo "pg_cron: server with pg_cron $(abm_psql -d "$db" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'"), sample CRM loaded"

abm_psql -d "$db" <<'SQL'
CREATE MATERIALIZED VIEW daily_states AS
SELECT day, industry, n.st AS nps_st, c.st AS csat_st
FROM (SELECT r.answered_on AS day, a.industry, nps_agg(r.score) AS st
      FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY 1, 2) n
FULL JOIN (SELECT t.answered_on AS day, a.industry, csat_agg(t.score) AS st
           FROM csat_responses t JOIN accounts a USING (account_id) GROUP BY 1, 2) c
USING (day, industry);
CREATE UNIQUE INDEX ON daily_states (day, industry);

-- After the view: answers of a new industry, of a new month and quarter
-- (2026-07), and on days the view already holds (every score, skipped
-- questions too), enough to move every period they fall in.
INSERT INTO accounts (account_id, name, industry, size_band, region, owner, is_target, clv)
VALUES (9001, 'Orbit Aerospace', 'Aerospace', 'Enterprise', 'EMEA', 'A. Late', false, 250000);
INSERT INTO nps_responses (response_id, account_id, contact_id, answered_on, score)
SELECT (SELECT max(response_id) FROM nps_responses) + g,
       CASE WHEN g % 4 = 0 THEN 9001 ELSE 1 + g % 1800 END,
       g, d, CASE WHEN g % 23 = 0 THEN NULL ELSE (g * 7) % 11 END
FROM generate_series(1, 400) g,
     LATERAL (SELECT (ARRAY[date '2026-07-01', date '2026-07-15', date '2026-06-30',
                            date '2025-02-14', date '2024-01-01'])[1 + g % 5] AS d) x;
INSERT INTO nps_responses (response_id, account_id, contact_id, answered_on, score)
SELECT (SELECT max(response_id) FROM nps_responses) + g, 2, g, date '2026-06-29', 0
FROM generate_series(1, 60) g;
INSERT INTO csat_responses (ticket_id, account_id, answered_on, score)
SELECT (SELECT max(ticket_id) FROM csat_responses) + g,
       CASE WHEN g % 3 = 0 THEN 9001 ELSE 1 + g % 1800 END,
       (ARRAY[date '2026-07-02', date '2026-06-30', date '2024-03-31'])[1 + g % 3],
       1 + (g * 3) % 5
FROM generate_series(1, 300) g;
SQL
echo "pg_cron: view daily_states built, then 460 NPS and 300 CSAT answers inserted (new industry Aerospace, 2026-07, existing days)"

# check: per grain, "grain groups mismatched" (groups = (period, industry)
# pairs of either side, mismatched = their states or numbers differ).
check() {
	abm_psql -d "$db" -At -F ' ' <<'SQL'
WITH g(grain) AS (VALUES ('month'), ('quarter')),
rolled AS (
	SELECT g.grain, date_trunc(g.grain, v.day)::date AS period, v.industry,
	       rollup(v.nps_st) AS nps_st, rollup(v.csat_st) AS csat_st
	FROM daily_states v CROSS JOIN g GROUP BY 1, 2, 3),
nps_direct AS (
	SELECT g.grain, date_trunc(g.grain, r.answered_on)::date AS period, a.industry,
	       nps_agg(r.score) AS st, nps(r.score) AS nps
	FROM nps_responses r JOIN accounts a USING (account_id) CROSS JOIN g GROUP BY 1, 2, 3),
csat_direct AS (
	SELECT g.grain, date_trunc(g.grain, t.answered_on)::date AS period, a.industry,
	       csat_agg(t.score) AS st, csat(t.score) AS csat
	FROM csat_responses t JOIN accounts a USING (account_id) CROSS JOIN g GROUP BY 1, 2, 3),
direct AS (
	SELECT grain, period, industry, n.st AS nps_st, n.nps, c.st AS csat_st, c.csat
	FROM nps_direct n FULL JOIN csat_direct c USING (grain, period, industry))
-- a group missing on one side and a group whose state is NULL (only skipped
-- questions) both read as no answers
SELECT grain, count(*),
       count(*) FILTER (WHERE coalesce(r.nps_st::text, '') <> coalesce(d.nps_st::text, '')
                           OR coalesce(r.csat_st::text, '') <> coalesce(d.csat_st::text, '')
                           OR nps(r.nps_st) IS DISTINCT FROM d.nps
                           OR csat(r.csat_st) IS DISTINCT FROM d.csat)
FROM rolled r FULL JOIN direct d USING (grain, period, industry)
GROUP BY grain ORDER BY grain;
SQL
}

show() { echo "$1" | awk '{ printf "    %-8s %4d groups, %3d mismatched\n", $1 ":", $2, $3 }'; }

stale=$(check)
echo "pg_cron: before any refresh, (period, industry) groups compared and mismatched:"
show "$stale"
if ! echo "$stale" | awk '$3 > 0 { n++ } END { exit n == 2 ? 0 : 1 }'; then
	echo "pg_cron: FAILED: the stale view already equals the direct computation, so the check proves nothing" >&2
	exit 1
fi

job=$(abm_psql -d "$db" -At -c \
	"SELECT cron.schedule('abm-daily-states', '* * * * *', 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_states')")
scheduled_at=$(date -u +%H:%M:%S)
echo "pg_cron: job $job scheduled at $scheduled_at UTC: * * * * * REFRESH MATERIALIZED VIEW CONCURRENTLY daily_states"

run=
for _ in $(seq 1 75); do
	run=$(abm_psql -d "$db" -At -F ' ' -c \
		"SELECT status, to_char(start_time AT TIME ZONE 'UTC', 'HH24:MI:SS'), round(extract(epoch FROM end_time - start_time) * 1000), coalesce(return_message, '')
		 FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded', 'failed')
		 ORDER BY runid LIMIT 1")
	[ -n "$run" ] && break
	sleep 1
done
if [ -z "$run" ]; then
	echo "pg_cron: FAILED: no finished run of job $job within 75 s; cron.job_run_details:" >&2
	abm_psql -d "$db" -c "SELECT * FROM cron.job_run_details" >&2
	grep -v 'does not exist\|exited with exit code' "$dir/server.log" | tail -20 >&2
	exit 1
fi
read -r status at ms message <<<"$run"
if [ "$status" != succeeded ]; then
	echo "pg_cron: FAILED: the run of job $job at $at UTC $status: $message" >&2
	exit 1
fi
echo "pg_cron: pg_cron ran job $job at $at UTC ($message, $ms ms), $((SECONDS - started)) s into the test"

fresh=$(check)
echo "pg_cron: after the scheduled refresh, (period, industry) groups compared and mismatched:"
show "$fresh"
late=$(abm_psql -d "$db" -At -F ' ' -c \
	"SELECT responses(rollup(nps_st) FILTER (WHERE industry = 'Aerospace')),
	        responses(rollup(nps_st) FILTER (WHERE day >= date '2026-07-01')),
	        responses(rollup(csat_st) FILTER (WHERE industry = 'Aerospace'))
	 FROM daily_states")
echo "pg_cron: in the view now (NPS Aerospace, NPS from 2026-07, CSAT Aerospace): $late"
if ! echo "$fresh" | awk '$2 > 0 && $3 == 0 { n++ } END { exit n == 2 ? 0 : 1 }'; then
	echo "pg_cron: FAILED: the monthly or quarterly rollups of the refreshed view differ from the direct computation" >&2
	exit 1
fi
# 100 Aerospace NPS rows (4 of them skipped), 160 in July (7 skipped); 100 Aerospace CSAT
if [ "$late" != "96 153 100" ]; then
	echo "pg_cron: FAILED: the refreshed view does not hold the answers inserted after it was built (want 96 153 100)" >&2
	exit 1
fi
echo "pg_cron: ok, monthly and quarterly rollups of the cron-refreshed daily states equal the direct computation ($((SECONDS - started)) s)"
