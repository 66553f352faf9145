--
-- report.sql: the abm demo's retention report over the sample CRM
-- (test/demo/crm_data.sql).  Every metric printed here is computed by an abm
-- function; the rest are labels, dates and row counts.
--
\pset footer off
\pset null ''
SET client_min_messages = warning;

\echo
\echo '================================================================================'
\echo ' abm demo: retention report, sample B2B SaaS CRM, 2024-01-01 .. 2026-06-30'
\echo '================================================================================'
\echo
SELECT (SELECT count(*) FROM accounts) AS accounts,
       (SELECT count(*) FROM accounts WHERE is_customer(stage)) AS "customers now",
       (SELECT count(*) FROM stage_history) AS "stage changes",
       (SELECT count(*) FROM nps_responses) AS "NPS answers",
       (SELECT count(*) FROM csat_responses) AS "CSAT answers",
       (SELECT count(*) FROM opportunities) AS opportunities;

-- ---------------------------------------------------------------------------
\echo
\echo '(a) Funnel: how many accounts reached each stage, and how many stopped at it'
\echo '    (furthest stage = max(stage) over stage_history).  churned sorts last, so'
\echo '    the furthest stage of an account that churned is churned.'
-- The stage_history of the sample data was written partly with source-system
-- aliases ('Closed Won', '成交', '流失', ...); they read as the canonical labels.
WITH furthest AS (
	SELECT account_id, max(stage) AS stage FROM stage_history GROUP BY account_id
)
SELECT s.stage,
       lifecycle_phase(s.stage) AS phase,
       is_customer(s.stage) AS paying,
       (SELECT count(*) FROM stage_history h WHERE h.stage = s.stage) AS reached,
       (SELECT count(*) FROM furthest f WHERE f.stage = s.stage) AS "stopped here"
FROM unnest(lifecycle_stage_labels()) s(stage)
ORDER BY s.stage;

-- ---------------------------------------------------------------------------
\echo
\echo '(b) NPS by industry, all answers; margin of error at 95% (Wald) and the'
\echo '    adjusted-Wald 95% interval'
SELECT x.industry,
       responses(x.st) AS answers,
       round(nps(x.st)::numeric, 1) AS nps,
       round(nps_margin(x.st)::numeric, 1) AS "± margin",
       round(i.lower::numeric, 1) AS "interval low",
       round(i.upper::numeric, 1) AS "interval high"
FROM (SELECT a.industry, nps_agg(r.score) AS st
      FROM nps_responses r JOIN accounts a USING (account_id)
      GROUP BY a.industry) x
CROSS JOIN LATERAL nps_interval(x.st, 0.95, 'adjusted_wald') i
ORDER BY nps(x.st) DESC;

-- ---------------------------------------------------------------------------
\echo
\echo '(c) NPS by quarter, rolled up from the daily states of the materialized view'
\echo '    nps_daily; a change is real when it exceeds the margin of the difference'
-- One nps_state per day, refreshed on a schedule in real life; quarters (or
-- months, or years) are rolled up from it without rescanning the answers.
CREATE MATERIALIZED VIEW IF NOT EXISTS nps_daily AS
SELECT answered_on AS day, nps_agg(score) AS st
FROM nps_responses
GROUP BY answered_on;
REFRESH MATERIALIZED VIEW nps_daily;

-- nps_diff_margin treats the two quarters as independent samples.
WITH quarters AS (
	SELECT date_trunc('quarter', day)::date AS quarter, rollup(st) AS st
	FROM nps_daily
	GROUP BY 1
), pairs AS (
	SELECT quarter, st, lag(st) OVER (ORDER BY quarter) AS prev FROM quarters
)
SELECT to_char(quarter, 'YYYY "Q"Q') AS quarter,
       responses(st) AS answers,
       round(nps(st)::numeric, 1) AS nps,
       round(nps_margin(st)::numeric, 1) AS "± margin",
       round((nps(st) - nps(prev))::numeric, 1) AS change,
       round(nps_diff_margin(prev, st)::numeric, 1) AS "± change",
       CASE WHEN prev IS NULL THEN ''
            WHEN abs(nps(st) - nps(prev)) > nps_diff_margin(prev, st) THEN 'real'
            ELSE 'noise' END AS verdict
FROM pairs
ORDER BY quarter;

-- ---------------------------------------------------------------------------
\echo
\echo '(d) NPS by account size band.  "answers": per-account states rolled up, its'
\echo '    margin as if every answer were independent.  "accounts": one vote per'
\echo '    account (account_nps: each account votes its own NPS), the margin to trust.'
-- Several answers from one account are not independent: the contacts of an
-- unhappy account tend to answer alike, and a big account answers many times.
-- The margin computed over answers treats them as independent samples and so
-- is too narrow, most of all for Enterprise accounts (many answers from few
-- accounts).  account_nps takes one vote per account, (promoters - detractors)
-- / answers, and its margin treats the accounts as the independent sample.
WITH per_account AS (
	SELECT r.account_id, a.size_band, nps_agg(r.score) AS st
	FROM nps_responses r JOIN accounts a USING (account_id)
	GROUP BY r.account_id, a.size_band
)
SELECT size_band,
       count(*) FILTER (WHERE responses(st) > 0) AS accounts,
       responses(rollup(st)) AS answers,
       round(nps(rollup(st))::numeric, 1) AS "nps (answers)",
       round(nps_margin(rollup(st))::numeric, 1) AS "± if independent",
       round(account_nps(st)::numeric, 1) AS "nps (accounts)",
       round(account_nps_margin(st)::numeric, 1) AS "± (accounts)"
FROM per_account
GROUP BY size_band
ORDER BY CASE size_band WHEN 'SMB' THEN 1 WHEN 'Mid-Market' THEN 2 ELSE 3 END;

-- ---------------------------------------------------------------------------
\echo
\echo '(e) CSAT of support tickets by quarter (share of answers of 4 or 5 out of 5),'
\echo '    rolled up from the daily states of the materialized view csat_daily'
CREATE MATERIALIZED VIEW csat_daily AS
SELECT answered_on, csat_agg(score) AS st FROM csat_responses GROUP BY answered_on;
SELECT to_char(answered_on, 'YYYY "Q"Q') AS quarter,
       responses(rollup(st)) AS answers,
       round(csat(rollup(st))::numeric, 3) AS csat
FROM csat_daily
GROUP BY 1
ORDER BY 1;

-- ---------------------------------------------------------------------------
\echo
\echo '(f) NPS answers by class (nps_class), and the whole period'
SELECT coalesce(nps_class(score)::text, '(skipped)') AS class,
       min(score) AS "lowest score", max(score) AS "highest score",
       count(*) AS answers
FROM nps_responses
GROUP BY nps_class(score)
ORDER BY nps_class(score) NULLS LAST;

SELECT responses(s) AS answers, promoters(s) AS promoters, passives(s) AS passives,
       detractors(s) AS detractors, round(nps(s)::numeric, 1) AS nps,
       round(nps_margin(s)::numeric, 1) AS "± margin", s AS state
FROM (SELECT nps_agg(score) AS s FROM nps_responses) x;

-- ---------------------------------------------------------------------------
\echo
\echo '(g) Scale-out: NPS by industry as a sharded cluster computes it.  Each'
\echo '    "shard" (here: each region) sends its partial NPS state as text; the'
\echo '    "coordinator" reads the texts back, merges them (abm_state_combine, the'
\echo '    combine function of every NPS aggregate) and reads NPS and its 90% margin'
\echo '    off the merged state; the answers equal the single-node ones.'
-- Citus runs these two steps for any abm aggregate (worker_partial_agg on the
-- shards, coord_combine_agg on the coordinator); the partial state is the
-- aggregate's own state type, so it travels as plain text.
CREATE TEMP TABLE shard_partials AS
SELECT a.region AS shard, a.industry, nps_agg(r.score)::text AS partial
FROM nps_responses r JOIN accounts a USING (account_id)
GROUP BY a.region, a.industry;
SELECT shard, industry, partial AS "partial state sent by the shard (text)"
FROM shard_partials WHERE industry = (SELECT min(industry) FROM accounts)
ORDER BY shard;
WITH coordinator AS (
	SELECT industry, rollup(partial::nps_state) AS st FROM shard_partials GROUP BY industry
), single_node AS (
	SELECT a.industry, nps(r.score) AS nps, nps_margin(r.score, 0.9) AS margin90
	FROM nps_responses r JOIN accounts a USING (account_id) GROUP BY a.industry
)
SELECT c.industry, count(*) OVER () AS industries,
       round(nps(c.st)::numeric, 1) AS "nps (merged)",
       round(nps_margin(c.st, 0.9)::numeric, 1) AS "± 90% (merged)",
       nps(c.st) = s.nps AND nps_margin(c.st, 0.9) = s.margin90 AS "equals one node"
FROM coordinator c JOIN single_node s USING (industry)
ORDER BY c.industry;

-- ---------------------------------------------------------------------------
\echo
\echo '(h) Customer lifetimes, Kaplan-Meier (survival_agg): an account''s lifetime runs'
\echo '    from its first subscription to the end of its last; accounts still paying on'
\echo '    2026-06-30 are censored there.  Median lifetime with its 95% interval, the'
\echo '    share still a customer after 1 and 2 years, and the mean lifetime within 3 years.'
CREATE TEMP TABLE account_lifetimes AS
SELECT s.account_id, a.size_band,
       coalesce(CASE WHEN bool_and(s.ended_on IS NOT NULL) THEN max(s.ended_on) END, date '2026-06-30')
         - min(s.started_on) AS days,
       bool_and(s.ended_on IS NOT NULL) AS churned
FROM subscriptions s JOIN accounts a USING (account_id)
GROUP BY s.account_id, a.size_band;
WITH km AS (
	SELECT size_band, survival_agg(days, churned) AS st FROM account_lifetimes GROUP BY ROLLUP (size_band)
)
SELECT coalesce(size_band, 'all customers') AS segment,
       subjects(st) AS customers, churned(st) AS churned,
       coalesce(median_lifetime(st)::text, 'not reached') AS "median days",
       coalesce(i.lower::text, '-') AS "95% low", coalesce(i.upper::text, '-') AS "95% high",
       round(survival_at(st, 365)::numeric, 3) AS "still after 1y",
       round(survival_at(st, 730)::numeric, 3) AS "after 2y",
       round(restricted_mean_lifetime(st, 1095)::numeric, 0) AS "mean days within 3y"
FROM km CROSS JOIN LATERAL median_lifetime_interval(st) i
ORDER BY size_band IS NULL, CASE size_band WHEN 'SMB' THEN 1 WHEN 'Mid-Market' THEN 2 ELSE 3 END;

\echo 'the steps of the curve of all customers: the days on which customers churned (most'
\echo 'at a contract anniversary), with R survfit''s log-scale 95% band (survival_curve)'
SELECT c.time AS day, c.at_risk AS "at risk", c.events AS churned,
       round(c.survival::numeric, 3) AS "S(t)", round(c.lower::numeric, 3) AS "95% low", round(c.upper::numeric, 3) AS "95% high"
FROM survival_curve((SELECT survival_agg(days, churned) FROM account_lifetimes)) c
WHERE c.events > 0
ORDER BY c.time;

-- ---------------------------------------------------------------------------
\echo
\echo '(i) Customer (logo) churn by quarter (churn_rate over every subscription of each'
\echo '    account): of the accounts with a subscription active on the first day of the'
\echo '    quarter, the share with none active on the first day of the next; annualized'
\echo '    by compounding (churn_rate_over(rate, 4)).'
WITH quarters AS (
	SELECT q::date AS lo, (q + interval '3 months')::date AS hi
	FROM generate_series(date '2024-01-01', date '2026-04-01', interval '3 months') q
)
SELECT to_char(lo, 'YYYY "Q"Q') AS quarter,
       customers_at_start(st) AS "customers at start", churned(st) AS churned,
       round(churn_rate(st)::numeric, 4) AS churn,
       round(churn_rate_over(churn_rate(st), 4)::numeric, 4) AS annualized
FROM (SELECT q.lo, churn_agg(s.account_id, s.started_on, s.ended_on, daterange(q.lo, q.hi)) AS st
      FROM quarters q CROSS JOIN subscriptions s GROUP BY q.lo) x
ORDER BY lo;

-- ---------------------------------------------------------------------------
\echo
\echo '(j) Revenue retention.  Each account''s MRR by month (mrr_snapshots); between two'
\echo '    months an account is new, reactivated (it paid before), expanded, contracted,'
\echo '    churned or flat (mrr_movement).  The monthly MRR bridge of the last 12 months'
\echo '    (mrr_bridge): starting + new + reactivation + expansion - contraction - churn'
\echo '    = ending, to the cent.'
CREATE TEMP TABLE mrr_moves AS
SELECT account_id, month, lag(mrr, 1, 0::numeric) OVER w AS previous, mrr AS current,
       coalesce(bool_or(mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS paid_before
FROM mrr_snapshots WINDOW w AS (PARTITION BY account_id ORDER BY month);
CREATE TEMP TABLE revenue_monthly AS
SELECT month, revenue_agg(previous, current, paid_before) AS st FROM mrr_moves GROUP BY month;
SELECT to_char(month, 'YYYY-MM') AS month, b.starting, b.new, b.reactivation, b.expansion,
       b.contraction, b.churn, b.ending, b.ending_accounts AS accounts,
       b.starting + b.new + b.reactivation + b.expansion - b.contraction - b.churn = b.ending AS reconciles
FROM revenue_monthly CROSS JOIN LATERAL mrr_bridge(st) b
WHERE month > date '2025-06-01'
ORDER BY month;

\echo 'NRR and GRR by quarter (MRR on the first day of the quarter against the first day'
\echo 'of the next, for the accounts paying at the start), and the quick ratio of the'
\echo 'quarter''s monthly movements, rolled up from the monthly states'
SELECT to_char(q.month, 'YYYY "Q"Q') AS quarter,
       round(nrr(s.mrr, e.mrr), 4) AS nrr, round(grr(s.mrr, e.mrr), 4) AS grr,
       (SELECT round(quick_ratio(rollup(st)), 2) FROM revenue_monthly m
        WHERE m.month > q.month AND m.month <= q.month + interval '3 months') AS quick_ratio
FROM generate_series(date '2024-01-01', date '2026-01-01', interval '3 months') q(month)
JOIN mrr_snapshots s ON s.month = q.month
JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = q.month + interval '3 months'
GROUP BY q.month ORDER BY q.month;

\echo 'NRR and GRR by industry over the last 12 months (2025-06 to 2026-06), with the'
\echo 'starting and ending MRR of each cohort; ARR and ARPA of all accounts at the end'
SELECT a.industry, starting_accounts(st) AS "accounts at start", starting_mrr(st) AS "MRR at start",
       ending_mrr(st) - new_mrr(st) - reactivation_mrr(st) AS "their MRR at end",
       round(nrr(st), 4) AS nrr, round(grr(st), 4) AS grr, round(net_revenue_churn(st), 4) AS "net revenue churn"
FROM (SELECT a.industry, revenue_agg(s.mrr, e.mrr) AS st
      FROM mrr_snapshots s
      JOIN mrr_snapshots e ON e.account_id = s.account_id AND e.month = date '2026-06-01'
      JOIN accounts a ON a.account_id = s.account_id
      WHERE s.month = date '2025-06-01'
      GROUP BY a.industry) a
ORDER BY nrr DESC;
SELECT arr(rollup(st)) AS "ARR, June 2026", round(arpa(rollup(st)), 2) AS "ARPA"
FROM revenue_monthly WHERE month = date '2026-06-01';

-- ---------------------------------------------------------------------------
\echo
\echo '(k) The MRR timeline from subscription periods (mrr_schedule, mrr_months): each'
\echo '    account''s months come from its periods alone, and agree with the monthly'
\echo '    snapshots month for month.  Then cohort retention (cohort_agg): accounts by'
\echo '    the quarter they first paid, the share still paying (logo) and the share of'
\echo '    their first month''s MRR they pay (revenue) at the end of each quarter after.'
CREATE TEMP TABLE schedules AS
SELECT account_id, mrr_schedule(started_on, ended_on, mrr) AS s FROM subscriptions GROUP BY account_id;
SELECT count(*) AS "account-months", count(*) FILTER (WHERE m.mrr = x.mrr) AS "equal to the snapshot",
       count(*) FILTER (WHERE m.movement = 'reactivation') AS reactivations,
       count(*) FILTER (WHERE m.movement = 'contraction') AS contractions
FROM schedules CROSS JOIN LATERAL mrr_months(s, date '2026-06-30') m
JOIN mrr_snapshots x ON x.account_id = schedules.account_id AND x.month = m.month;
WITH triangle AS (
	SELECT * FROM cohort_retention((SELECT cohort_agg(s, date '2026-06-30', 'quarter') FROM schedules))
)
SELECT coalesce(to_char(cohort, 'YYYY "Q"Q'), 'all (weighted)') AS cohort, max(customers) FILTER (WHERE period_offset = 0) AS accounts,
       to_char(max(logo_retention) FILTER (WHERE period_offset = 1), 'FM0.00') AS "logo +1",
       to_char(max(logo_retention) FILTER (WHERE period_offset = 3), 'FM0.00') AS "+3",
       to_char(max(logo_retention) FILTER (WHERE period_offset = 5), 'FM0.00') AS "+5",
       to_char(max(logo_retention) FILTER (WHERE period_offset = 7), 'FM0.00') AS "+7",
       to_char(max(revenue_retention) FILTER (WHERE period_offset = 1), 'FM0.00') AS "revenue +1",
       to_char(max(revenue_retention) FILTER (WHERE period_offset = 3), 'FM0.00') AS "+3 ",
       to_char(max(revenue_retention) FILTER (WHERE period_offset = 5), 'FM0.00') AS "+5 ",
       to_char(max(revenue_retention) FILTER (WHERE period_offset = 7), 'FM0.00') AS "+7 "
FROM triangle
WHERE cohort IS NULL OR cohort >= date '2024-01-01'
GROUP BY cohort ORDER BY cohort NULLS LAST;

-- ---------------------------------------------------------------------------
\echo
\echo '(l) Account health of the customers paying on 2026-06-30 (account_health_detail):'
\echo '    usage (active / licensed seats, June), the account''s NPS (last 12 months),'
\echo '    engagement (percentile of the last quarter''s events), and the CSM''s'
\echo '    relationship rating, competitor intent and open tickets (account_signals),'
\echo '    and days to the renewal date; default weights, bands critical < 50 <='
\echo '    at_risk < 75 <= healthy.  "any critical": Totango''s rule, one signal in'
\echo '    its bottom fifth (level below 20 of 100) makes the account critical.'
CREATE TEMP VIEW health_inputs AS
SELECT a.account_id, a.name, a.industry, a.size_band, a.clv,
       u.active_seats::float8 / u.licensed_seats AS usage,
       n.nps, e.engagement, s.relationship, s.competitor_intent, s.support_load,
       365 - (date '2026-06-30' - r.since) % 365 AS days_to_renewal
FROM accounts a
JOIN (SELECT account_id, min(started_on) AS since FROM subscriptions
      WHERE ended_on IS NULL GROUP BY account_id) r ON r.account_id = a.account_id
LEFT JOIN product_usage u ON u.account_id = a.account_id AND u.month = date '2026-06-01'
LEFT JOIN (SELECT account_id, nps(score) AS nps FROM nps_responses
           WHERE answered_on > date '2025-06-30' GROUP BY account_id) n ON n.account_id = a.account_id
LEFT JOIN (SELECT account_id, 100 * percent_rank() OVER (ORDER BY count(*)) AS engagement
           FROM engagement_events WHERE occurred_on > date '2026-03-31'
           GROUP BY account_id) e ON e.account_id = a.account_id
LEFT JOIN (SELECT account_id,
                  max(value) FILTER (WHERE signal = 'relationship') AS relationship,
                  max(value) FILTER (WHERE signal = 'competitor_intent') AS competitor_intent,
                  max(value) FILTER (WHERE signal = 'support_load') AS support_load
           FROM account_signals GROUP BY account_id) s ON s.account_id = a.account_id;
CREATE TEMP TABLE health AS
SELECT h.*, d.score, d.band, d.weakest_signal, d.weakest_drag,
       (account_health_detail(usage => h.usage, nps => h.nps, engagement => h.engagement,
                              relationship => h.relationship, competitor_intent => h.competitor_intent,
                              support_load => h.support_load, days_to_renewal => h.days_to_renewal,
                              critical_signal_below => 20)).band AS strict_band,
       value_at_risk(h.clv, d.score) AS value_at_risk
FROM health_inputs h,
     LATERAL account_health_detail(usage => h.usage, nps => h.nps, engagement => h.engagement,
                                   relationship => h.relationship, competitor_intent => h.competitor_intent,
                                   support_load => h.support_load, days_to_renewal => h.days_to_renewal) d;
SELECT coalesce(industry, 'all') AS industry, count(*) AS accounts,
       count(*) FILTER (WHERE band = 'critical') AS critical,
       count(*) FILTER (WHERE band = 'at_risk') AS at_risk,
       count(*) FILTER (WHERE band = 'healthy') AS healthy,
       count(*) FILTER (WHERE strict_band = 'critical') AS "critical (any critical)",
       round(avg(score)::numeric, 1) AS "mean health",
       sum(value_at_risk) AS "value at risk"
FROM health GROUP BY ROLLUP (industry) ORDER BY industry NULLS LAST;

\echo 'Who first: the 10 accounts with the most lifetime value at risk'
\echo '(CLV x (100 - health) / 100), with the signal that costs each the most points'
SELECT name, size_band, clv, round(score::numeric, 1) AS health, band, value_at_risk,
       weakest_signal, round(weakest_drag::numeric, 1) AS "points lost"
FROM health ORDER BY value_at_risk DESC NULLS LAST, account_id LIMIT 10;

\echo 'Advocates (match_advocates): in each industry and size band, the critical'
\echo 'accounts by value at risk, each paired with the best healthy promoter account'
\echo '(account NPS >= 50, by NPS then usage), at most 2 accounts per advocate;'
\echo 'the Mid-Market and Enterprise pairs'
CREATE TEMP TABLE advocate_pairs AS
SELECT s.industry, s.size_band, m.*
FROM (SELECT industry, size_band,
             array_agg(account_id ORDER BY value_at_risk DESC, account_id) FILTER (WHERE band = 'critical') AS at_risk,
             array_agg(account_id ORDER BY nps DESC, usage DESC, account_id)
               FILTER (WHERE band = 'healthy' AND nps >= 50) AS advocates
      FROM health GROUP BY industry, size_band) s,
     match_advocates(s.at_risk, s.advocates, 2) m;
SELECT p.industry, p.size_band, a.name AS "critical account", v.name AS advocate, p.advocate_rank AS "advocate #"
FROM advocate_pairs p
JOIN accounts a ON a.account_id = p.account
JOIN accounts v ON v.account_id = p.advocate
WHERE p.size_band <> 'SMB'
ORDER BY p.industry, p.size_band DESC, p.advocate_rank, a.name;
\echo 'Critical accounts with and without an advocate, by size band'
SELECT size_band, count(*) AS "critical accounts", count(advocate) AS "with an advocate",
       count(DISTINCT advocate) AS "advocates asked"
FROM advocate_pairs
GROUP BY size_band ORDER BY CASE size_band WHEN 'SMB' THEN 1 WHEN 'Mid-Market' THEN 2 ELSE 3 END;

-- ---------------------------------------------------------------------------
\echo
\echo '(m) The funnel (funnel_agg over each account''s furthest stage before churning):'
\echo '    how many accounts reached each stage, stage-to-stage conversion with its 95%'
\echo '    Wilson interval, and conversion from target.  Then time in stage from the'
\echo '    stage history (stage_path per account, time_in_stage_agg): accounts that'
\echo '    entered and left each stage, median and mean days there.'
CREATE TEMP TABLE furthest AS
SELECT account_id, max(stage) FILTER (WHERE stage <> 'churned') AS furthest, bool_or(stage = 'churned') AS churned
FROM stage_history GROUP BY account_id;
SELECT stage, reached, stopped, round(conversion_from_previous::numeric, 3) AS "from previous",
       round(lower::numeric, 3) || ' .. ' || round(upper::numeric, 3) AS "95% interval",
       round(conversion_from_first::numeric, 3) AS "from target"
FROM funnel_stages((SELECT funnel_agg(coalesce(furthest, 'churned'), churned) FROM furthest));
CREATE TEMP TABLE paths AS
SELECT account_id, stage_path(stage, entered_at) AS p FROM stage_history GROUP BY account_id;
SELECT stage, entered, passed, median_days AS "median days", round(mean_days::numeric, 1) AS "mean days"
FROM time_in_stage((SELECT time_in_stage_agg(p) FROM paths));
SELECT funnel_velocity(time_in_stage_agg(p)) AS "funnel velocity: median days from target to onboarding"
FROM paths;

\echo 'Win rate (won / closed, with its 95% Wilson interval) and pipeline velocity'
\echo '(opportunities x win rate x average won deal / days to close a won deal) by'
\echo 'quarter of creation, since the CRM went live'
SELECT to_char(quarter, 'YYYY "Q"Q') AS quarter, opportunities, closed, round(win_rate::numeric, 3) AS "win rate",
       round((proportion_interval(st)).lower::numeric, 3) || ' .. ' || round((proportion_interval(st)).upper::numeric, 3) AS "95% interval",
       round(avg_deal, 2) AS "avg deal", round(cycle_days, 1) AS "cycle days",
       round(pipeline_velocity(opportunities, win_rate, avg_deal, cycle_days), 2) AS "velocity per day"
FROM (SELECT date_trunc('quarter', created_on) AS quarter, count(*) AS opportunities,
             count(*) FILTER (WHERE status <> 'open') AS closed,
             win_rate(nullif(status, 'open') = 'won') AS win_rate,
             proportion_agg(nullif(status, 'open') = 'won') AS st,
             avg(amount) FILTER (WHERE status = 'won') AS avg_deal,
             avg(closed_on - created_on) FILTER (WHERE status = 'won') AS cycle_days
      FROM opportunities WHERE created_on >= date '2024-01-01' GROUP BY 1) q
ORDER BY q.quarter;

\echo 'The target account list the sample data implies (tal_size): 12 new customers a'
\echo 'year for each sales rep, at the 2025-26 new-business win rate and the target'
\echo 'accounts'' conversion to opportunity; and the list''s share of the pipeline and'
\echo 'engagement in the last quarter'
SELECT (SELECT count(DISTINCT owner) FROM accounts) AS "sales reps",
       round(w.win_rate::numeric, 3) AS "win rate",
       round(conversion(t.st, 'target', 'opportunity')::numeric, 3) AS "target to pipeline",
       ceil(tal_size((SELECT count(DISTINCT owner) FROM accounts), 12, w.win_rate,
                     conversion(t.st, 'target', 'opportunity'))) AS "target accounts needed",
       (SELECT count(*) FROM accounts WHERE is_target) AS "on the list now"
FROM (SELECT funnel_agg(coalesce(f.furthest, 'churned'), f.churned) AS st
      FROM furthest f JOIN accounts a USING (account_id) WHERE a.is_target) t,
     (SELECT win_rate(nullif(status, 'open') = 'won') AS win_rate
      FROM opportunities WHERE kind = 'new' AND created_on >= date '2025-01-01') w;
SELECT round(sum(o.amount) FILTER (WHERE a.is_target) / sum(o.amount), 3) AS "target share of pipeline",
       (SELECT round(proportion(st)::numeric, 3) || ' (' || round((proportion_interval(st)).lower::numeric, 3) || ' .. '
               || round((proportion_interval(st)).upper::numeric, 3) || ')'
        FROM (SELECT proportion_agg(EXISTS (SELECT 1 FROM engagement_events e WHERE e.account_id = t.account_id
                                            AND e.occurred_on > date '2026-03-31')) AS st
              FROM accounts t WHERE t.is_target) x) AS "target accounts engaged last quarter"
FROM opportunities o JOIN accounts a USING (account_id)
WHERE o.status = 'open' OR o.created_on >= date '2026-01-01';

-- ---------------------------------------------------------------------------
\echo
\echo '(n) Engagement and campaign influence.  Engagement (engagement_agg over the'
\echo '    touches, read as of 2026-06-30 with a 30-day half-life) by size band; the'
\echo '    accounts whose last week stands out against their 8 weeks before'
\echo '    (engagement_zscore >= 2; Infinity: active after a silent baseline).'
CREATE TEMP TABLE engagement_states AS
SELECT account_id, engagement_agg(weight, touched_at) AS st FROM touches GROUP BY account_id;
SELECT a.size_band, count(*) AS accounts,
       round(avg(engagement(e.st, date '2026-06-30'))::numeric, 2) AS "mean engagement",
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY engagement(e.st, date '2026-06-30')))::numeric, 2) AS median,
       round(avg(engagement(e.st, date '2026-06-30')) FILTER (WHERE a.is_target)::numeric, 2) AS "target accounts"
FROM engagement_states e JOIN accounts a USING (account_id)
GROUP BY a.size_band ORDER BY 3 DESC;
\echo 'the same mean read straight off the touches by engagement_as_of (a float sum'
\echo 'at the fixed date, no state kept): equal to the state''s reading'
SELECT a.size_band, round(avg(x.e)::numeric, 2) AS "mean engagement (engagement_as_of)",
       bool_and(abs(x.e - engagement(s.st, date '2026-06-30')) <= 1e-9 * greatest(1, x.e)) AS "equals the state's"
FROM (SELECT account_id, engagement_as_of(weight, touched_at, date '2026-06-30') AS e FROM touches GROUP BY account_id) x
JOIN engagement_states s USING (account_id) JOIN accounts a USING (account_id)
GROUP BY a.size_band ORDER BY 2 DESC;
SELECT a.name, a.size_band, a.is_target AS target,
       round(engagement_zscore(e.st, date '2026-06-30')::numeric, 1) AS z,
       round(engagement(e.st, date '2026-06-30', '7 days')::numeric, 1) AS "engagement, 7-day half-life"
FROM engagement_states e JOIN accounts a USING (account_id)
WHERE engagement_zscore(e.st, date '2026-06-30') >= 2
ORDER BY z DESC, 5 DESC, a.account_id LIMIT 10;

\echo 'Pipeline created since 2025 credited to channels (attribute, 90-day lookback),'
\echo 'linear against W-shaped (lead creation as the milestone); the credits of each'
\echo 'opportunity add up to its amount to the cent'
CREATE TEMP TABLE credits AS
SELECT m.model, o.opportunity_id, o.amount, o.status, c.channel, a.credit
FROM opportunities o
CROSS JOIN (VALUES ('linear'), ('w_shaped')) m(model)
CROSS JOIN LATERAL (
	SELECT array_agg(t.campaign_id ORDER BY t.touched_at, t.touch_id) AS campaign_ids,
	       array_agg(t.touched_at ORDER BY t.touched_at, t.touch_id) AS times,
	       array_agg(t.lead_creation ORDER BY t.touched_at, t.touch_id) AS leads
	FROM touches t
	WHERE t.account_id = o.account_id AND t.touched_at < o.created_on
	  AND t.touched_at >= o.created_on - interval '90 days') x
CROSS JOIN LATERAL attribute(m.model, o.amount, o.created_on, x.campaign_ids, x.times, x.leads) a
LEFT JOIN campaigns c ON c.campaign_id = a.touch
WHERE o.created_on >= date '2025-01-01';
SELECT coalesce(channel, '(unattributed)') AS channel,
       count(DISTINCT opportunity_id) FILTER (WHERE model = 'linear') AS influenced,
       sum(credit) FILTER (WHERE model = 'linear') AS "pipeline, linear",
       sum(credit) FILTER (WHERE model = 'w_shaped') AS "pipeline, W-shaped",
       sum(credit) FILTER (WHERE model = 'linear' AND status = 'won') AS "won, linear"
FROM credits GROUP BY 1 ORDER BY 3 DESC;
SELECT count(*) AS "opportunities x models",
       count(*) FILTER (WHERE total <> amount) AS "credits not adding up"
FROM (SELECT model, opportunity_id, amount, sum(credit) AS total FROM credits GROUP BY 1, 2, 3) x;

\echo 'Channel rates with 95% Wilson intervals, and cost per lead'
SELECT c.channel,
       round(sum(s.clicks)::numeric / nullif(sum(s.impressions), 0), 4) AS ctr,
       round((wilson_interval(sum(s.clicks)::bigint, sum(s.impressions)::bigint)).lower::numeric, 4) || ' .. ' ||
       round((wilson_interval(sum(s.clicks)::bigint, sum(s.impressions)::bigint)).upper::numeric, 4) AS "95% interval",
       round(sum(s.view_throughs)::numeric / nullif(sum(s.impressions), 0), 5) AS "view-through",
       round(sum(s.opens)::numeric / nullif(sum(s.emails_sent), 0), 3) AS "open rate",
       round(sum(s.email_clicks)::numeric / nullif(sum(s.emails_sent), 0), 4) AS "click rate",
       round(sum(s.unsubscribes)::numeric / nullif(sum(s.emails_sent), 0), 4) AS "unsubscribes",
       round(sum(c.cost) / sum(s.leads), 2) AS "cost per lead"
FROM campaigns c JOIN channel_stats s USING (campaign_id)
GROUP BY c.channel ORDER BY "cost per lead";

-- ---------------------------------------------------------------------------
\echo
\echo '(o) Scheduled rollups.  test/demo/run created the materialized view daily_states'
\echo '    (per day and industry: nps_agg and csat_agg) empty, WITH NO DATA, right after'
\echo '    loading the data, and a pg_cron job that refreshes it every minute; pg_cron''s'
\echo '    first run filled it (this waits for that run if it has not happened yet).'
\echo '    Months and quarters are rolled up from the daily states (rollup).'
SELECT jobname AS job, schedule, command FROM cron.job ORDER BY jobid;
-- Wait (at most 65 s: pg_cron starts jobs on minute boundaries) for the first
-- successful run.  Each statement of the loop sees the runs committed so far.
SELECT clock_timestamp() AS wait_from \gset
DO $$
BEGIN
	FOR i IN 1..65 LOOP
		EXIT WHEN EXISTS (SELECT 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
		                  WHERE j.jobname = 'refresh daily_states' AND d.status = 'succeeded');
		PERFORM pg_sleep(1);
	END LOOP;
END $$;
SELECT EXISTS (SELECT 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
               WHERE j.jobname = 'refresh daily_states' AND d.status = 'succeeded') AS refreshed \gset
\if :refreshed
\echo 'the first successful run of the job (cron.job_run_details)'
SELECT to_char(d.start_time, 'YYYY-MM-DD HH24:MI:SS TZ') AS "pg_cron refreshed daily_states at",
       round(extract(epoch FROM d.end_time - d.start_time)::numeric, 2) AS "run took (s)",
       d.status, d.return_message AS result,
       (SELECT count(*) FROM daily_states) AS "daily states (day x industry)",
       round(greatest(0, extract(epoch FROM d.end_time - :'wait_from'::timestamptz))::numeric) AS "report waited (s)"
FROM cron.job_run_details d JOIN cron.job j USING (jobid)
WHERE j.jobname = 'refresh daily_states' AND d.status = 'succeeded'
ORDER BY d.runid LIMIT 1;
\else
\echo 'pg_cron has not refreshed daily_states within 65 s (cron.job_run_details below);'
\echo 'refreshing it here instead'
SELECT d.status, d.return_message, d.start_time
FROM cron.job_run_details d JOIN cron.job j USING (jobid)
WHERE j.jobname = 'refresh daily_states' ORDER BY d.runid;
REFRESH MATERIALIZED VIEW daily_states;
\endif

\echo 'NPS and CSAT by quarter, and by month of 2026, rolled up from the daily states'
WITH periods AS (
	SELECT 'quarter' AS grain, to_char(date_trunc('quarter', day), 'YYYY "Q"Q') AS period,
	       rollup(nps_st) AS nps_st, rollup(csat_st) AS csat_st
	FROM daily_states GROUP BY 2
	UNION ALL
	SELECT 'month', to_char(date_trunc('month', day), 'YYYY-MM'),
	       rollup(nps_st), rollup(csat_st)
	FROM daily_states WHERE day >= date '2026-01-01' GROUP BY 2
)
SELECT period,
       responses(nps_st) AS "NPS answers",
       round(nps(nps_st)::numeric, 1) AS nps,
       round(nps_margin(nps_st)::numeric, 1) AS "± margin",
       responses(csat_st) AS "CSAT answers",
       round(csat(csat_st)::numeric, 3) AS csat
FROM periods
ORDER BY grain DESC, period;

\echo 'the same periods computed directly over the answers (nps(score), csat(score)):'
\echo 'how many equal the rollups of the daily states, exactly'
WITH g(grain) AS (VALUES ('month'), ('quarter')),
rolled AS (
	SELECT grain, date_trunc(grain, day) AS period, nps(rollup(nps_st)) AS nps, csat(rollup(csat_st)) AS csat
	FROM daily_states CROSS JOIN g GROUP BY 1, 2),
direct AS (
	SELECT grain, period, n.nps, c.csat
	FROM (SELECT grain, date_trunc(grain, answered_on) AS period, nps(score) AS nps
	      FROM nps_responses CROSS JOIN g GROUP BY 1, 2) n
	FULL JOIN (SELECT grain, date_trunc(grain, answered_on) AS period, csat(score) AS csat
	           FROM csat_responses CROSS JOIN g GROUP BY 1, 2) c USING (grain, period))
SELECT grain, count(*) AS periods,
       count(*) FILTER (WHERE r.nps IS NOT DISTINCT FROM d.nps AND r.csat IS NOT DISTINCT FROM d.csat) AS equal
FROM rolled r FULL JOIN direct d USING (grain, period)
GROUP BY grain ORDER BY grain;
