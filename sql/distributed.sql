--
-- Distributed aggregation, the way Citus runs an aggregate across shards:
-- each shard computes the aggregate's transition value (worker_partial_agg),
-- sends it as the transition type's TEXT output, and the coordinator reads
-- it back with the type's text input, merges the partials with the
-- aggregate's combine function and finishes with its final function
-- (coord_combine_agg).  Citus does this only for an aggregate whose
-- transition type is a real type with text I/O; this test runs that path,
-- built from the catalog, for every aggregate of abm.
--
\pset null '(null)'

-- no abm aggregate keeps a pseudo-type (internal) transition value
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggtranstype::regtype, a.aggmtranstype::regtype
FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.classid = 'pg_proc'::regclass
JOIN pg_type t ON t.oid = a.aggtranstype
LEFT JOIN pg_type mt ON mt.oid = a.aggmtranstype
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND (t.typtype = 'p' OR mt.typtype = 'p' OR a.aggcombinefn = 0 OR t.typinput = 0 OR t.typoutput = 0)
ORDER BY 1;

-- answers on 4 shards, 6 segments; shard 3 has only NULL scores in segment 5
CREATE TABLE dist_answers AS
SELECT g AS id, g % 4 AS shard, (g / 4) % 6 AS segment,
       CASE WHEN g % 4 = 3 AND (g / 4) % 6 = 5 THEN NULL ELSE abs(hashint4(g)) % 11 END AS score,
       1 + abs(hashint4(g + 7)) % 5 AS csat,
       (lifecycle_stage_labels())[1 + abs(hashint4(g + 3)) % 10] AS stage,
       nps_class(abs(hashint4(g + 5)) % 11) AS class,
       abs(hashint4(g + 11)) % 60 AS days, g % 3 = 0 AS churned,
       CASE WHEN g % 5 = 0 THEN 0 ELSE (abs(hashint4(g + 17)) % 100000) / 100.0 END AS mrr_start,
       CASE WHEN g % 7 = 0 THEN 0 ELSE (abs(hashint4(g + 19)) % 120000) / 100.0 END AS mrr_end,
       mrr_movement((abs(hashint4(g + 23)) % 3)::numeric, (abs(hashint4(g + 29)) % 3)::numeric) AS movement,
       date '2024-01-01' + abs(hashint4(g + 13)) % 600 AS started,
       CASE WHEN g % 3 = 0 THEN NULL ELSE date '2024-01-01' + abs(hashint4(g + 13)) % 600 + g % 400 END AS ended
FROM generate_series(1, 20000) g;
-- stored daily states, for rollup()
CREATE TABLE dist_states AS
SELECT id % 4 AS shard, segment, id % 50 AS day, nps_agg(score) AS nps_st, csat_agg(csat) AS csat_st,
       survival_agg(days, churned) AS survival_st,
       churn_agg(started, ended, daterange('2025-01-01', '2025-04-01')) AS churn_st,
       churn_agg((id % 499)::bigint, started, ended, daterange('2025-01-01', '2025-04-01')) AS customer_churn_st,
       repeat_purchase_agg(score) AS repeat_st,
       revenue_agg(mrr_start, mrr_end, churned) AS revenue_st,
       mrr_schedule(started, ended, mrr_end) AS schedule_st,
       funnel_agg(stage, churned) AS funnel_st, proportion_agg(churned) AS proportion_st,
       stage_path(stage, started) AS path_st, engagement_agg((id % 7) * 1.5, started) AS engagement_st
FROM dist_answers GROUP BY 1, 2, 3;
ALTER TABLE dist_states ADD COLUMN tis_st time_in_stage_state;
UPDATE dist_states SET tis_st = (SELECT time_in_stage_agg(p) FROM (VALUES (path_st)) v(p));
-- one schedule per customer, for cohort_agg
CREATE TABLE dist_schedules AS
SELECT id % 499 AS customer, mrr_schedule(started, ended, mrr_end) AS s FROM dist_answers GROUP BY 1;
ALTER TABLE dist_schedules ADD COLUMN shard int, ADD COLUMN segment int;
UPDATE dist_schedules SET shard = customer % 4, segment = (customer / 4) % 6;
CREATE TABLE dist_cohorts AS
SELECT shard, segment, customer % 7 AS day, cohort_agg(s, date '2025-06-30', 'quarter') AS cohort_st
FROM dist_schedules GROUP BY 1, 2, 3;

-- how this test calls each aggregate; a new aggregate must be added here
CREATE TABLE agg_calls (agg regprocedure PRIMARY KEY, args text NOT NULL, source text NOT NULL);
INSERT INTO agg_calls VALUES
	('nps(smallint)', 'score::smallint', 'dist_answers'),
	('nps(integer)', 'score', 'dist_answers'),
	('nps(bigint)', 'score::bigint', 'dist_answers'),
	('nps_margin(smallint)', 'score::smallint', 'dist_answers'),
	('nps_margin(integer)', 'score', 'dist_answers'),
	('nps_margin(bigint)', 'score::bigint', 'dist_answers'),
	('nps_margin(smallint, double precision)', 'score::smallint, 0.9', 'dist_answers'),
	('nps_margin(integer, double precision)', 'score, 0.8', 'dist_answers'),
	('nps_margin(bigint, double precision)', 'score::bigint, 0.99', 'dist_answers'),
	('nps_agg(smallint)', 'score::smallint', 'dist_answers'),
	('nps_agg(integer)', 'score', 'dist_answers'),
	('nps(numeric)', 'score::numeric', 'dist_answers'),
	('nps_margin(numeric)', 'score::numeric', 'dist_answers'),
	('nps_margin(numeric, double precision)', 'score::numeric, 0.8', 'dist_answers'),
	('nps_agg(numeric)', 'score::numeric', 'dist_answers'),
	('csat(numeric)', 'csat::numeric', 'dist_answers'),
	('csat_agg(numeric)', 'csat::numeric', 'dist_answers'),
	('nps_agg(bigint)', 'score::bigint', 'dist_answers'),
	('csat(smallint)', 'csat::smallint', 'dist_answers'),
	('csat(integer)', 'csat', 'dist_answers'),
	('csat(bigint)', 'csat::bigint', 'dist_answers'),
	('csat_agg(smallint)', 'csat::smallint', 'dist_answers'),
	('csat_agg(integer)', 'csat', 'dist_answers'),
	('csat_agg(bigint)', 'csat::bigint', 'dist_answers'),
	('rollup(nps_state)', 'nps_st', 'dist_states'),
	('rollup(csat_state)', 'csat_st', 'dist_states'),
	('survival_agg(integer, boolean)', 'days, churned', 'dist_answers'),
	('survival_agg(bigint, boolean)', 'days::bigint, churned', 'dist_answers'),
	('survival_agg(double precision, boolean)', 'days / 7.0::float8, churned', 'dist_answers'),
	('survival_agg(interval, boolean)', 'make_interval(hours => days), churned', 'dist_answers'),
	('rollup(survival_state)', 'survival_st', 'dist_states'),
	('churn_rate(date, date, daterange)', $$started, ended, daterange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('churn_rate(timestamptz, timestamptz, tstzrange)',
	 $$started::timestamptz, ended::timestamptz, tstzrange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('churn_agg(date, date, daterange)', $$started, ended, daterange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('churn_agg(timestamptz, timestamptz, tstzrange)',
	 $$started::timestamptz, ended::timestamptz, tstzrange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('rollup(churn_state)', 'churn_st', 'dist_states'),
	('churn_rate(bigint, date, date, daterange)', $$(id % 499)::bigint, started, ended, daterange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('churn_rate(bigint, timestamptz, timestamptz, tstzrange)',
	 $$(id % 499)::bigint, started::timestamptz, ended::timestamptz, tstzrange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('churn_agg(bigint, date, date, daterange)', $$(id % 499)::bigint, started, ended, daterange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('churn_agg(bigint, timestamptz, timestamptz, tstzrange)',
	 $$(id % 499)::bigint, started::timestamptz, ended::timestamptz, tstzrange('2025-01-01', '2025-04-01')$$, 'dist_answers'),
	('rollup(customer_churn_state)', 'customer_churn_st', 'dist_states'),
	('repeat_purchase_rate(integer)', 'score', 'dist_answers'),
	('repeat_purchase_rate(bigint)', 'score::bigint', 'dist_answers'),
	('repeat_purchase_agg(integer)', 'score', 'dist_answers'),
	('repeat_purchase_agg(bigint)', 'score::bigint', 'dist_answers'),
	('rollup(repeat_purchase_state)', 'repeat_st', 'dist_states'),
	('min(lifecycle_stage)', 'stage', 'dist_answers'),
	('max(lifecycle_stage)', 'stage', 'dist_answers'),
	('min(nps_class)', 'class', 'dist_answers'),
	('min(health_band)', 'health_band(days * 1.5)', 'dist_answers'),
	('max(health_band)', 'health_band(days * 1.5)', 'dist_answers'),
	('account_nps(nps_state)', 'nps_st', 'dist_states'),
	('funnel_agg(lifecycle_stage)', 'stage', 'dist_answers'),
	('funnel_agg(lifecycle_stage, boolean)', 'stage, churned', 'dist_answers'),
	('rollup(funnel_state)', 'funnel_st', 'dist_states'),
	('win_rate(boolean)', 'CASE WHEN id % 5 = 0 THEN NULL ELSE churned END', 'dist_answers'),
	('proportion_agg(boolean)', 'churned', 'dist_answers'),
	('rollup(proportion_state)', 'proportion_st', 'dist_states'),
	('stage_path(lifecycle_stage, date)', 'stage, started', 'dist_answers'),
	('stage_path(lifecycle_stage, timestamptz)', $$stage, started::timestamptz$$, 'dist_answers'),
	('rollup(stage_path)', 'path_st', 'dist_states'),
	('time_in_stage_agg(stage_path)', 'path_st', 'dist_states'),
	('rollup(time_in_stage_state)', 'tis_st', 'dist_states'),
	('engagement_agg(numeric, date)', '(id % 7) * 1.5, started', 'dist_answers'),
	('engagement_agg(numeric, timestamptz)', $$(id % 7) * 1.5, started::timestamp AT TIME ZONE 'UTC'$$, 'dist_answers'),
	('rollup(engagement_state)', 'engagement_st', 'dist_states'),
	('engagement_as_of(numeric, date, date)', $$(id % 7) * 1.5, started, date '2025-06-30'$$, 'dist_answers'),
	('engagement_as_of(numeric, date, date, interval)', $$(id % 7) * 1.5, started, date '2025-06-30', interval '10 days'$$, 'dist_answers'),
	('engagement_as_of(numeric, timestamptz, date)', $$(id % 7) * 1.5, started::timestamp AT TIME ZONE 'UTC', date '2025-06-30'$$, 'dist_answers'),
	('engagement_as_of(numeric, timestamptz, date, interval)', $$(id % 7) * 1.5, started::timestamp AT TIME ZONE 'UTC', date '2025-06-30', interval '10 days'$$, 'dist_answers'),
	('account_nps_margin(nps_state)', 'nps_st', 'dist_states'),
	('account_nps_margin(nps_state, double precision)', 'nps_st, 0.9', 'dist_states'),
	('max(nps_class)', 'class', 'dist_answers'),
	('revenue_agg(numeric, numeric)', 'mrr_start, mrr_end', 'dist_answers'),
	('revenue_agg(numeric, numeric, boolean)', 'mrr_start, mrr_end, churned', 'dist_answers'),
	('mrr_bridge(numeric, numeric)', 'mrr_start, mrr_end', 'dist_answers'),
	('mrr_bridge(numeric, numeric, boolean)', 'mrr_start, mrr_end, churned', 'dist_answers'),
	('nrr(numeric, numeric)', 'mrr_start, mrr_end', 'dist_answers'),
	('grr(numeric, numeric)', 'mrr_start, mrr_end', 'dist_answers'),
	('rollup(revenue_state)', 'revenue_st', 'dist_states'),
	('mrr_schedule(date, date, numeric)', 'started, ended, mrr_end', 'dist_answers'),
	('rollup(mrr_schedule)', 'schedule_st', 'dist_states'),
	('cohort_agg(mrr_schedule, date, text)', $$s, date '2025-06-30', 'quarter'$$, 'dist_schedules'),
	('rollup(cohort_state)', 'cohort_st', 'dist_cohorts'),
	('min(mrr_movement)', 'movement', 'dist_answers'),
	('max(mrr_movement)', 'movement', 'dist_answers');

SELECT a.aggfnoid::regprocedure AS aggregate_not_tested
FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.classid = 'pg_proc'::regclass
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND a.aggfnoid NOT IN (SELECT agg FROM agg_calls)
ORDER BY 1;

-- For each aggregate: a "worker" twin (its transition function and type, no
-- final function: returns the partial state) and a "coordinator" twin (the
-- combine function as transition over partial states, then the final
-- function).  Partials cross the "network" as text.  The result, per
-- segment and overall, must equal the aggregate's single-pass result.
CREATE TABLE dist_results (agg regprocedure, groups int, equal boolean, sample text);
-- Results agree as text, except where float sums merged in another order
-- may differ in the last bits (account_nps): there to 1e-12.
CREATE FUNCTION pg_temp.same_result(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT a IS NOT DISTINCT FROM b
	    OR (a ~ '^-?[0-9.]+(e[-+][0-9]+)?$' AND b ~ '^-?[0-9.]+(e[-+][0-9]+)?$'
	        AND abs(a::float8 - b::float8) <= 1e-12 * greatest(1, abs(a::float8)))
$$;
DO $$
DECLARE
	c record;
	n int := 0;
	argtypes text;
	equal_grouped boolean;
	equal_all boolean;
	groups int;
	sample text;
BEGIN
	FOR c IN
		SELECT i.agg, i.args, i.source, a.aggtransfn::regproc AS transfn, a.aggtranstype::regtype AS stype,
		       a.aggcombinefn::regproc AS combinefn, a.aggfinalfn, a.aggfinalfn::regproc AS finalfn, a.agginitval
		FROM agg_calls i JOIN pg_aggregate a ON a.aggfnoid = i.agg
		ORDER BY i.agg::text
	LOOP
		n := n + 1;
		argtypes := pg_get_function_identity_arguments(c.agg);
		EXECUTE format('CREATE AGGREGATE pg_temp.worker_%s(%s) (SFUNC = %s, STYPE = %s%s)',
					   n, argtypes, c.transfn, c.stype,
					   CASE WHEN c.agginitval IS NULL THEN '' ELSE format(', INITCOND = %L', c.agginitval) END);
		EXECUTE format('CREATE AGGREGATE pg_temp.coordinator_%s(%s) (SFUNC = %s, STYPE = %s%s)',
					   n, c.stype, c.combinefn, c.stype,
					   CASE WHEN c.aggfinalfn = 0 THEN '' ELSE format(', FINALFUNC = %s', c.finalfn) END);
		-- grouped by segment: partials per (shard, segment), merged per segment
		EXECUTE format($q$
			WITH wire AS (
				SELECT shard, segment, pg_temp.worker_%1$s(%2$s)::text AS partial
				FROM %3$s GROUP BY shard, segment),
			coordinator AS (
				SELECT segment, pg_temp.coordinator_%1$s(partial::%4$s)::text AS result
				FROM wire GROUP BY segment),
			single AS (
				SELECT segment, %5$s(%2$s)::text AS result FROM %3$s GROUP BY segment)
			SELECT count(*), bool_and(pg_temp.same_result(c.result, s.result)),
			       (SELECT partial FROM wire WHERE shard = 1 AND segment = 0)
			FROM coordinator c FULL JOIN single s USING (segment)$q$,
			n, c.args, c.source, c.stype, regexp_replace(c.agg::text, '\(.*', ''))
			INTO groups, equal_grouped, sample;
		-- ungrouped
		EXECUTE format($q$
			SELECT pg_temp.same_result(
			         (SELECT pg_temp.coordinator_%1$s(partial::%4$s)::text
			          FROM (SELECT pg_temp.worker_%1$s(%2$s)::text AS partial FROM %3$s GROUP BY shard) w),
			         (SELECT %5$s(%2$s)::text FROM %3$s))$q$,
			n, c.args, c.source, c.stype, regexp_replace(c.agg::text, '\(.*', ''))
			INTO equal_all;
		INSERT INTO dist_results VALUES (c.agg, groups, equal_grouped AND equal_all, sample);
	END LOOP;
END $$;
SELECT agg, groups, equal FROM dist_results ORDER BY agg::text;

-- what travels: the text form of a partial state (shard 1, segment 0), with
-- the confidence of nps_margin(score, confidence) in it
SELECT agg, left(sample, 100) AS partial_state_text FROM dist_results
WHERE agg IN ('nps_margin(integer, double precision)'::regprocedure, 'csat_agg(integer)'::regprocedure,
              'max(lifecycle_stage)'::regprocedure, 'survival_agg(double precision, boolean)'::regprocedure)
ORDER BY agg::text;

-- the coordinator refuses partials computed with different confidences
SELECT sqlstate_of($$SELECT abm_state_combine('v2 detractors=1 passives=0 promoters=1 confidence=0.9'::nps_state,
                                              'v2 detractors=1 passives=0 promoters=1 confidence=0.95'::nps_state)$$);
-- a partial without a confidence (a shard with no rows of that group) merges with one that has it
SELECT abm_state_combine('v2 detractors=1 passives=0 promoters=1 confidence=0.9'::nps_state,
                         'v2 detractors=0 passives=2 promoters=1'::nps_state);
SELECT abm_state_combine(NULL::nps_state, 'v2 detractors=0 passives=2 promoters=1'::nps_state),
       abm_state_combine('v2 detractors=0 passives=2 promoters=1'::nps_state, NULL),
       abm_state_combine(NULL::csat_state, NULL);
-- combine and subtract called directly validate what they are given
SELECT sqlstate_of($$SELECT abm_state_combine('v2 satisfied=1 responses=2'::csat_state, 'v2 satisfied=3 responses=2'::csat_state)$$);
SELECT abm_state_subtract('v2 detractors=5 passives=5 promoters=5'::nps_state, 'v2 detractors=1 passives=2 promoters=3'::nps_state),
       abm_state_subtract('v2 detractors=5 passives=5 promoters=5'::nps_state, 'v2 detractors=1 passives=2 promoters=3 confidence=0.9'::nps_state);
SELECT sqlstate_of($$SELECT abm_state_subtract('v2 detractors=0 passives=5 promoters=5'::nps_state, 'v2 detractors=1 passives=0 promoters=0'::nps_state)$$);
-- a transition function called outside an aggregate returns a new state and leaves its input alone
SELECT nps_trans(NULL::nps_state, 9), nps_trans('v1 detractors=1 passives=0 promoters=0'::nps_state, 3::smallint),
       nps_trans(NULL::nps_state, 10::bigint, 0.9), csat_trans(NULL::csat_state, 4), nps_inv('v2 detractors=1 passives=0 promoters=1'::nps_state, 9);
SELECT sqlstate_of($$SELECT nps_inv('v2 detractors=1 passives=0 promoters=0'::nps_state, 9)$$),
       sqlstate_of($$SELECT nps_trans('v2 detractors=1 passives=0 promoters=0 confidence=0.9'::nps_state, 9, 0.8)$$),
       sqlstate_of($$SELECT nps_trans(NULL::nps_state, 11)$$);
