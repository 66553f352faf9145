--
-- Bad input everywhere: every input function, accessor and aggregate, with
-- NULLs, out-of-range values, NaN and infinities, malformed text and
-- overflowing counters.  Each case is an ERROR with its SQLSTATE or a NULL.
--
\pset null '(null)'

-- every input function, malformed text
SELECT t AS type, v AS input, outcome(format('SELECT %L::%s::text', v, t)) AS outcome
FROM unnest(ARRAY['lifecycle_stage', 'nps_class', 'nps_state', 'csat_state', 'survival_state', 'churn_state',
                  'customer_churn_state', 'repeat_purchase_state', 'mrr_movement', 'revenue_state', 'mrr_schedule', 'cohort_state',
                  'health_band', 'funnel_state', 'stage_path', 'time_in_stage_state', 'proportion_state',
                  'engagement_state']) t,
     unnest(ARRAY['null', '0', '-1', 'v1', 'v1 x', 'v1 detractors=1', E'target\\x00', 'promoter;', 'churned churned']) v
ORDER BY 1, 2;

-- NULL in, NULL out for every function; NULLs are ignored by every aggregate
SELECT f, outcome('SELECT ' || f) AS outcome FROM unnest(ARRAY[
  'lifecycle_phase(NULL)', 'is_customer(NULL)', 'nps_class(NULL::int)',
  'nps(NULL::nps_state)', 'nps_margin(NULL::nps_state)', 'nps_margin(''v1 detractors=1 passives=1 promoters=1''::nps_state, NULL)',
  'nps_interval(NULL::nps_state)::text', 'nps_diff_margin(NULL, ''v1 detractors=1 passives=1 promoters=1''::nps_state)',
  'promoters(NULL)', 'passives(NULL)', 'detractors(NULL)', 'responses(NULL::nps_state)',
  'csat(NULL::csat_state)', 'satisfied(NULL)', 'responses(NULL::csat_state)', 'csat_agg(s)::text FROM (VALUES (NULL::int)) v(s)',
  'rollup(s)::text FROM (VALUES (NULL::csat_state)) v(s)',
  'nps(s) FROM (VALUES (NULL::int)) v(s)', 'nps_margin(s, NULL) FROM (VALUES (5), (9)) v(s)',
  'nps_agg(s)::text FROM (VALUES (NULL::bigint)) v(s)', 'csat(s) FROM (VALUES (NULL::smallint)) v(s)',
  'rollup(s)::text FROM (VALUES (NULL::nps_state)) v(s)',
  'max(s)::text FROM (VALUES (NULL::lifecycle_stage)) v(s)', 'min(s)::text FROM (VALUES (NULL::nps_class)) v(s)',
  'subjects(NULL::survival_state)', 'churned(NULL::survival_state)', 'median_lifetime(NULL)',
  'survival_at(NULL, 3)', 'survival_at(''v2 rows=[1:1:0]'', NULL)', 'restricted_mean_lifetime(NULL, 3)',
  'median_lifetime_interval(NULL)::text', 'count(*) FROM survival_curve(NULL)',
  'survival_agg(t, c)::text FROM (VALUES (NULL::int, true), (3, NULL)) v(t, c)',
  'churn_rate(NULL::churn_state)', 'customers_at_start(NULL::churn_state)', 'churned(NULL::customer_churn_state)',
  'churn_rate(NULL::bigint, 5)', 'churn_rate_over(NULL, 12)', 'churn_rate_over(0.1, NULL)',
  'churn_rate(s, e, p) FROM (VALUES (NULL::date, NULL::date, NULL::daterange)) v(s, e, p)',
  'churn_rate(c, s, e, p) FROM (VALUES (NULL::bigint, date ''2025-01-01'', NULL::date, daterange(''2025-01-01'', ''2025-02-01''))) v(c, s, e, p)',
  'repeat_purchase_rate(n) FROM (VALUES (NULL::int)) v(n)', 'customers(NULL)', 'repeat_customers(NULL)',
  'rollup(s)::text FROM (VALUES (NULL::survival_state)) v(s)', 'rollup(s)::text FROM (VALUES (NULL::churn_state)) v(s)',
  'mrr_movement(NULL, 1)', 'mrr_movement(1, 2, NULL)', 'nrr(NULL::revenue_state)', 'grr(NULL::revenue_state)',
  'quick_ratio(NULL)', 'arr(NULL)', 'arpa(NULL)', 'starting_mrr(NULL)', 'ending_mrr(NULL)', 'churned_mrr(NULL)',
  'ending_accounts(NULL)', 'mrr_bridge(NULL::revenue_state)::text', 'gross_revenue_churn(NULL)',
  'revenue_churn(NULL, 1, 1)', 'clv(1, NULL, 0.1)', 'clv(1, 0.5, 0.1, NULL)', 'cac_payback_months(NULL, 1, 1)',
  'revenue_agg(p, c)::text FROM (VALUES (NULL::numeric, 1::numeric), (2, NULL)) v(p, c)',
  'mrr_bridge(p, c, b)::text FROM (VALUES (1::numeric, 2::numeric, NULL::boolean)) v(p, c, b)',
  'nrr(p, c) FROM (VALUES (NULL::numeric, NULL::numeric)) v(p, c)',
  'rollup(s)::text FROM (VALUES (NULL::revenue_state)) v(s)',
  'mrr_schedule(s, e, a)::text FROM (VALUES (NULL::date, NULL::date, 5::numeric), (date ''2024-01-01'', NULL, NULL)) v(s, e, a)',
  'count(*) FROM mrr_months(NULL)', 'mrr_at(NULL, date ''2024-01-01'')', 'mrr_at(''v2 rows=[288:5]'', NULL)',
  'rollup(s)::text FROM (VALUES (NULL::mrr_schedule)) v(s)',
  'cohort_agg(s, date ''2025-01-01'', ''month'')::text FROM (VALUES (NULL::mrr_schedule)) v(s)',
  'count(*) FROM cohort_retention(NULL)', 'rollup(s)::text FROM (VALUES (NULL::cohort_state)) v(s)',
  'account_health(NULL, NULL, NULL)', 'account_health_detail(NULL)::text', 'health_band(NULL)',
  'health_band(50, NULL)', 'value_at_risk(NULL, 50)', 'value_at_risk(100, NULL)',
  'min(b)::text FROM (VALUES (NULL::health_band)) v(b)',
  'account_nps(s) FROM (VALUES (NULL::nps_state)) v(s)', 'account_nps_margin(s) FROM (VALUES (NULL::nps_state)) v(s)',
  'account_nps_final(NULL)', 'account_nps_combine(NULL, ''{0,0,0,0}'')::text',
  'count(*) FROM match_advocates(NULL::int[], NULL::int[])',
  'funnel_agg(s)::text FROM (VALUES (NULL::lifecycle_stage)) v(s)', 'funnel_agg(s, c)::text FROM (VALUES (''aware''::lifecycle_stage, NULL::boolean)) v(s, c)',
  'count(*) FROM funnel_stages(NULL)', 'reached(NULL, ''target'')', 'reached(''v2 target=1 aware=0 engaged=0 opportunity=0 onboarding=0 active=0 renewing=0 expanding=0 advocate=0 churned=0 churned_unplaced=0'', NULL)',
  'conversion(NULL, ''target'', ''aware'')', 'conversion_interval(NULL, ''target'', ''aware'')::text',
  'rollup(s)::text FROM (VALUES (NULL::funnel_state)) v(s)',
  'stage_path(s, d)::text FROM (VALUES (NULL::lifecycle_stage, date ''2024-01-01''), (''aware'', NULL)) v(s, d)',
  'time_in_stage_agg(p)::text FROM (VALUES (NULL::stage_path)) v(p)', 'count(*) FROM time_in_stage(NULL)', 'funnel_velocity(NULL)',
  'rollup(s)::text FROM (VALUES (NULL::time_in_stage_state)) v(s)', 'rollup(s)::text FROM (VALUES (NULL::stage_path)) v(s)',
  'win_rate(w) FROM (VALUES (NULL::boolean)) v(w)', 'proportion(NULL)', 'proportion_interval(NULL)::text',
  'successes(NULL)', 'trials(NULL)', 'wilson_interval(NULL, 3)::text', 'rollup(s)::text FROM (VALUES (NULL::proportion_state)) v(s)',
  'pipeline_velocity(NULL, 0.3, 1000, 30)', 'tal_size(10, 20, NULL, 0.1)',
  'engagement_agg(w, d)::text FROM (VALUES (NULL::numeric, date ''2026-01-01''), (1, NULL)) v(w, d)',
  'engagement(NULL, date ''2026-01-01'')', 'engagement(''v2 rows=[9648:1]'', NULL)', 'engagement(''v2 rows=[9648:1]'', date ''2026-01-01'', NULL)',
  'engagement_zscore(NULL, date ''2026-01-01'')', 'rollup(s)::text FROM (VALUES (NULL::engagement_state)) v(s)',
  'count(*) FROM attribute(''linear'', NULL, now(), ARRAY[1], ARRAY[now()])']) f;

-- money: negative, NaN and infinite amounts are 22003 for every aggregate and
-- argument; a sum past 4096 bits is 54000
SELECT a, v, outcome(format('SELECT %s(p, c)::text FROM (VALUES (%s)) v(p, c)', a, v)) AS outcome
FROM unnest(ARRAY['revenue_agg', 'mrr_bridge', 'nrr', 'grr']) a,
     unnest(ARRAY['-1::numeric, 1::numeric', '1::numeric, -0.001::numeric', '''NaN''::numeric, 1::numeric',
                  '1::numeric, ''Infinity''::numeric', '''-Infinity''::numeric, 0::numeric',
                  '1e1300::numeric, 0::numeric', '1e-1000::numeric, 1e1000::numeric']) v
ORDER BY 1, 2;

-- confidence arguments: NaN, infinities, 0, 1, negative are 22023 everywhere
SELECT f, c, outcome(format(f, c)) AS outcome
FROM unnest(ARRAY[
  'SELECT nps_margin(''v1 detractors=3 passives=5 promoters=12''::nps_state, %s)',
  'SELECT nps_interval(''v1 detractors=3 passives=5 promoters=12''::nps_state, %s)::text',
  'SELECT nps_diff_margin(''v1 detractors=3 passives=5 promoters=12''::nps_state, ''v1 detractors=3 passives=5 promoters=12''::nps_state, %s)',
  'SELECT nps_margin(s, %s) FROM (VALUES (1), (9)) v(s)']) f,
  unnest(ARRAY['''NaN''::float8', '''Infinity''::float8', '''-Infinity''::float8', '0', '1', '-0.5', '0.999999']) c
ORDER BY 1, 2;

-- interval methods
SELECT m, outcome(format('SELECT nps_interval(''v1 detractors=3 passives=5 promoters=12''::nps_state, 0.95, %L)::text', m))
FROM unnest(ARRAY['wald', 'adjusted_wald', 'adjusted-wald', 'adjusted', 'WALD', '', 'wilson']) m;

-- out-of-range scores for every input type of every aggregate
SELECT a, t, outcome(format('SELECT %s(s::%s)::text FROM (VALUES (%s)) v(s)', a, t, v)) AS outcome
FROM unnest(ARRAY['nps', 'nps_margin', 'nps_agg', 'csat', 'csat_agg']) a,
     unnest(ARRAY['smallint', 'integer', 'bigint']) t,
     unnest(ARRAY['-1', '11', '32767']) v
WHERE v <> '32767' OR t <> 'bigint'
ORDER BY 1, 2, 3;

-- overflowing counters: merging states past 2^63 - 1, and states whose total overflows
SELECT outcome($$SELECT rollup(s)::text FROM (VALUES
  ('v1 detractors=0 passives=9223372036854775807 promoters=0'::nps_state),
  ('v1 detractors=0 passives=1 promoters=0')) v(s)$$) AS merge_overflow,
       outcome($$SELECT rollup(s)::text FROM (VALUES
  ('v1 detractors=4611686018427387904 passives=0 promoters=0'::nps_state),
  ('v1 detractors=0 passives=4611686018427387904 promoters=0')) v(s)$$) AS total_overflow,
       outcome($$SELECT responses('v1 detractors=4611686018427387903 passives=4611686018427387904 promoters=0'::nps_state)$$) AS largest_total,
       outcome($$SELECT round(nps('v1 detractors=4611686018427387903 passives=0 promoters=4611686018427387904'::nps_state)::numeric, 6)$$) AS nps_of_huge_counts;
