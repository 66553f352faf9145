#!/usr/bin/env bash
# SQLsmith: random queries against a database with abm installed, the sample
# CRM data of the demo, and tables of every abm type and state.  Query errors are expected; a crash is not.  Fails if
# the server log shows a backend killed by a signal, a PANIC, or a restart,
# or if the server stops answering.
#   ABM_SQLSMITH_QUERIES (default 2000), ABM_SQLSMITH_SEED (default 1)
# Runs inside test/run (2,000 queries), or alone with its own cluster:
#   ABM_SQLSMITH_QUERIES=100000 bash test/integration/sqlsmith.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/pg.sh

if [ -z "${ABM_SERVER_LOG:-}" ]; then
	abm_install_deps
	abm_build_install
	abm_pg_start
fi

queries=${ABM_SQLSMITH_QUERIES:-2000}
seed=${ABM_SQLSMITH_SEED:-1}
db=abm_smith
log=$ABM_SERVER_LOG

"$ABM_PGBIN/dropdb" --if-exists "$db" 2>/dev/null
"$ABM_PGBIN/createdb" "$db"
abm_psql -d "$db" <<'SQL'
CREATE EXTENSION abm;
CREATE TABLE smith_accounts (account_id int PRIMARY KEY, stage lifecycle_stage, industry text);
INSERT INTO smith_accounts
SELECT g, (ARRAY['target','aware','engaged','opportunity','onboarding','active','renewing','expanding','advocate','churned'])[1 + g % 10]::lifecycle_stage,
       (ARRAY['software','retail','health'])[1 + g % 3]
FROM generate_series(1, 300) g;
CREATE INDEX ON smith_accounts (stage);
CREATE TABLE smith_answers (account_id int, answered_on date, score int, small smallint, big bigint, class nps_class);
INSERT INTO smith_answers
SELECT 1 + g % 300, date '2025-01-01' + g % 90, g % 11, (g % 11)::smallint, (g % 11)::bigint, nps_class(g % 11)
FROM generate_series(1, 3000) g;
CREATE TABLE daily_states AS SELECT answered_on, nps_agg(score) AS st FROM smith_answers GROUP BY 1;
CREATE MATERIALIZED VIEW quarter_states AS SELECT date_trunc('quarter', answered_on) AS q, rollup(st) AS st FROM daily_states GROUP BY 1;
CREATE TABLE daily_csat AS SELECT answered_on, csat_agg(1 + score % 5) AS st FROM smith_answers GROUP BY 1;
CREATE TABLE smith_lifetimes AS
SELECT g AS account_id, (g * 37) % 400 AS days, (g * 37) % 400 / 365.25 AS years,
       make_interval(days => (g * 37) % 400) AS tenure, g % 3 = 0 AS churned
FROM generate_series(1, 300) g;
CREATE TABLE cohort_survival AS
SELECT account_id % 12 AS cohort, survival_agg(days, churned) AS st FROM smith_lifetimes GROUP BY 1;
CREATE TABLE smith_subscriptions AS
SELECT g AS id, 1 + g % 300 AS account_id, date '2024-01-01' + (g * 13) % 700 AS started_on,
       CASE WHEN g % 4 = 0 THEN NULL ELSE date '2024-01-01' + (g * 13) % 700 + g % 365 END AS ended_on,
       daterange('2025-01-01', '2025-04-01') AS period
FROM generate_series(1, 900) g;
CREATE TABLE churn_states (segment int, st churn_state, customer_st customer_churn_state,
                           repeat_st repeat_purchase_state);
INSERT INTO churn_states
SELECT account_id % 7, churn_agg(started_on, ended_on, period),
       churn_agg(account_id::bigint, started_on, ended_on, period), repeat_purchase_agg(id % 4)
FROM smith_subscriptions GROUP BY 1;
CREATE TABLE smith_mrr AS
SELECT g AS account_id, CASE WHEN g % 5 = 0 THEN 0 ELSE (g * 37) % 900 + 0.5 END::numeric(12, 2) AS mrr_start,
       CASE WHEN g % 7 = 0 THEN 0 ELSE (g * 53) % 1000 END::numeric AS mrr_end, g % 3 = 0 AS paid_before,
       mrr_movement((g % 3)::numeric, (g % 4)::numeric) AS movement
FROM generate_series(1, 300) g;
CREATE TABLE revenue_states AS
SELECT account_id % 9 AS segment, revenue_agg(mrr_start, mrr_end, paid_before) AS st FROM smith_mrr GROUP BY 1;
CREATE TABLE smith_schedules AS
SELECT account_id, mrr_schedule(started_on, ended_on, (id % 50) * 10.5) AS schedule FROM smith_subscriptions GROUP BY 1;
CREATE TABLE smith_cohorts (segment int, st cohort_state);
INSERT INTO smith_cohorts
SELECT account_id % 5, cohort_agg(schedule, date '2025-06-30', 'quarter') FROM smith_schedules GROUP BY 1;
CREATE TABLE smith_bridges (segment int, bridge mrr_bridge);
INSERT INTO smith_bridges SELECT segment, mrr_bridge(st) FROM revenue_states;
CREATE TABLE smith_health AS
SELECT g AS account_id, (g % 11) / 10.0 AS usage, (g * 7) % 201 - 100.0 AS nps, (g * 3) % 101 AS engagement,
       (g % 11)::float8 AS relationship, (g * 13) % 101 AS competitor_intent, (g % 9)::float8 AS support_load,
       (g * 17) % 400 AS days_to_renewal, health_band((g * 29) % 101) AS band,
       ARRAY[g, g + 1] AS ids, ((g * 7) % 300)::numeric(12, 2) AS clv
FROM generate_series(1, 200) g;
CREATE TABLE smith_funnel AS
SELECT account_id % 7 AS segment, funnel_agg(stage, account_id % 3 = 0) AS funnel, proportion_agg(account_id % 2 = 0) AS wins,
       stage_path(stage, date '2024-01-01' + account_id % 300) AS path
FROM smith_accounts GROUP BY 1;
ALTER TABLE smith_funnel ADD COLUMN times time_in_stage_state;
UPDATE smith_funnel SET times = (SELECT time_in_stage_agg(p) FROM (VALUES (path)) v(p));
CREATE TABLE smith_engagement AS
SELECT account_id % 9 AS segment, engagement_agg((account_id % 4) * 2.5, date '2025-01-01' + account_id % 200) AS st,
       array_agg(account_id ORDER BY account_id) AS touch_ids,
       array_agg(timestamptz '2025-01-01' + account_id * interval '1 hour' ORDER BY account_id) AS touch_times
FROM smith_accounts GROUP BY 1;
SQL
abm_psql -d "$db" -f test/demo/crm_data.sql >/dev/null
abm_psql -d "$db" -c 'ANALYZE'

before=$(wc -c <"$log")
out=$(mktemp)
trap 'rm -f "$out"; abm_pg_stop' EXIT   # abm_pg_stop: only a cluster this script started
conn="host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER options='-c statement_timeout=2000'"
start=$(date +%s)
sqlsmith --target="$conn" --seed="$seed" --max-queries="$queries" --exclude-catalog --dump-all-queries >"$out" 2>&1 || true
elapsed=$(( $(date +%s) - start ))

abm_calls=$(grep -oiE '\b(nps|nps_agg|nps_margin|nps_interval|nps_diff_margin|nps_class|csat|rollup|promoters|passives|detractors|responses|lifecycle_phase|is_customer|[a-z_]*lifecycle_stage_[a-z_]*|nps_state_[a-z_]*|nps_class_[a-z_]*|survival_[a-z_]*|median_lifetime[a-z_]*|restricted_mean_lifetime|subjects|churned|abm_state_[a-z]*|churn_[a-z_]*|customers_at_start|repeat_[a-z_]*|customers|mrr_[a-z_]*|revenue_[a-z_]*|nrr|grr|quick_ratio|arr|arpa|[a-z]*_mrr|[a-z]*_accounts|clv|cac_payback_months|cohort_[a-z_]*|account_[a-z_]*|health_band[a-z_]*|value_at_risk|match_advocates|funnel_[a-z_]*|reached|conversion[a-z_]*|stage_path[a-z_]*|time_in_stage[a-z_]*|win_rate|proportion[a-z_]*|successes|trials|wilson_interval|pipeline_velocity|tal_size|attribute|engagement[a-z_]*)\(' "$out" | wc -l)
crashes=$(tail -c +"$((before + 1))" "$log" | grep -cE 'terminated by signal|PANIC|was terminated|terminating any other active server processes|database system was interrupted' || true)
alive=$(abm_psql -d "$db" -At -c 'SELECT 1' 2>/dev/null || echo 0)

"$ABM_PGBIN/dropdb" "$db" 2>/dev/null || true
echo "sqlsmith: $queries queries (seed $seed) in ${elapsed}s, $abm_calls calls of abm functions, $crashes crash lines in the server log"
if [ "$crashes" -ne 0 ] || [ "$alive" != 1 ]; then
	tail -c +"$((before + 1))" "$log" | grep -B5 -A5 -E 'terminated by signal|PANIC' >&2 || true
	exit 1
fi
