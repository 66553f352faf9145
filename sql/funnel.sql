--
-- Funnel and pipeline: funnel_agg and funnel_stages, stage_path and time in
-- stage, win_rate and proportions with Wilson intervals, pipeline_velocity,
-- tal_size
--
\pset null '(null)'
SELECT setseed(0.29);

-- A random stage history: accounts with one stage, skipped stages, stages
-- entered twice (a second, later entry), moves backward, ties in entered_at,
-- all-churned accounts (only a churned row), and no account at some stages.
CREATE TABLE fh (account_id int, segment int, stage lifecycle_stage, entered_at date);
INSERT INTO fh
SELECT a, a % 5, (lifecycle_stage_labels())[s], date '2024-01-01' + (s * 20 + floor(random() * 25))::int
FROM generate_series(1, 1500) a,
     LATERAL generate_series(1, 1 + floor(random() * 9 + a * 0)::int) s   -- a * 0: drawn per account
WHERE random() < 0.85 AND NOT (s = 3 AND a % 4 = 0);          -- engaged skipped by many
INSERT INTO fh SELECT account_id, segment, stage, entered_at + 200 FROM fh WHERE random() < 0.05;  -- entered again
INSERT INTO fh SELECT account_id, segment, 'aware', entered_at + 3 FROM fh WHERE stage = 'opportunity' AND random() < 0.1;  -- backward
INSERT INTO fh SELECT a, a % 5, 'churned', date '2024-06-01' + a % 100 FROM generate_series(1, 1500) a WHERE random() < 0.15;
INSERT INTO fh SELECT a, a % 5, 'churned', date '2025-01-01' FROM generate_series(1501, 1540) a;   -- all-churned accounts
INSERT INTO fh SELECT a, a % 5, 'target', date '2024-02-01' FROM generate_series(1541, 1600) a;    -- one stage
ANALYZE fh;

-- per account: the furthest stage before churning, and whether it churned
CREATE TABLE fa AS
SELECT account_id, segment, max(stage) FILTER (WHERE stage <> 'churned') AS furthest,
       bool_or(stage = 'churned') AS churned
FROM fh GROUP BY account_id, segment;

-- the funnel against count(*) FILTER per stage
WITH f AS (SELECT * FROM funnel_stages((SELECT funnel_agg(coalesce(furthest, 'churned'), churned) FROM fa))),
ref AS (
  SELECT s AS stage,
         CASE WHEN s = 'churned' THEN count(*) FILTER (WHERE churned)
              ELSE count(*) FILTER (WHERE furthest >= s) END AS reached,
         CASE WHEN s = 'churned' THEN count(*) FILTER (WHERE furthest IS NULL)
              ELSE count(*) FILTER (WHERE furthest = s) END AS stopped
  FROM unnest(lifecycle_stage_labels()) s CROSS JOIN fa GROUP BY s)
SELECT f.stage, f.reached, f.reached = r.reached AS reached_ok, f.stopped = r.stopped AS stopped_ok,
       round(f.conversion_from_previous::numeric, 4) AS from_previous,
       f.conversion_from_previous IS NOT DISTINCT FROM
         (r.reached::float8 / nullif(lag(r.reached) OVER (ORDER BY f.stage), 0)
          * CASE WHEN f.stage IN ('target', 'churned') THEN NULL ELSE 1 END) AS previous_ok,
       f.conversion_from_first IS NOT DISTINCT FROM
         (r.reached::float8 / nullif(first_value(r.reached) OVER (ORDER BY f.stage), 0)
          * CASE WHEN f.stage = 'churned' THEN NULL ELSE 1 END) AS first_ok
FROM f JOIN ref r USING (stage) ORDER BY f.stage;

-- the Wilson interval of each conversion, against its formula in SQL
WITH f AS (SELECT * FROM funnel_stages((SELECT funnel_agg(coalesce(furthest, 'churned'), churned) FROM fa), 0.9)),
w AS (SELECT f.*, lag(reached) OVER (ORDER BY stage) AS n, 1.6448536269514722 AS z FROM f)
SELECT bool_and(abs(lower - greatest(0, ((reached::float8 / n + z * z / (2 * n)) - z * sqrt((reached::float8 / n) * (1 - reached::float8 / n) / n + z * z / (4 * n * n))) / (1 + z * z / n))) < 1e-12
            AND abs(upper - least(1, ((reached::float8 / n + z * z / (2 * n)) + z * sqrt((reached::float8 / n) * (1 - reached::float8 / n) / n + z * z / (4 * n * n))) / (1 + z * z / n))) < 1e-12)
         AS wilson_equals_sql,
       count(*) AS intervals
FROM w WHERE lower IS NOT NULL;

-- accounts given only as churned (one-argument form) count among the churned only
SELECT reached(st, 'target') AS target, reached(st, 'churned') AS churned,
       conversion(st, 'target', 'onboarding') AS to_onboarding
FROM (SELECT funnel_agg(max(s)) OVER () AS st FROM unnest('{churned,churned,target,onboarding}'::lifecycle_stage[]) s LIMIT 1) x;
SELECT funnel_agg(s) FROM unnest('{churned,churned}'::lifecycle_stage[]) s;
SELECT * FROM funnel_stages((SELECT funnel_agg(s) FROM unnest('{}'::lifecycle_stage[]) s));

-- segments rolled up = one pass; parallel = serial; a sliding window = each frame anew
SELECT (SELECT rollup(st)::text FROM (SELECT segment, funnel_agg(coalesce(furthest, 'churned'), churned) AS st
                                      FROM fa GROUP BY segment) x)
     = (SELECT funnel_agg(coalesce(furthest, 'churned'), churned)::text FROM fa) AS rollup_equals_one_pass;
SELECT funnel_agg(coalesce(furthest, 'churned'), churned)::text AS serial FROM fa \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT funnel_agg(coalesce(furthest, 'churned'), churned) FROM fa;
SELECT funnel_agg(coalesce(furthest, 'churned'), churned)::text = :'serial' AS parallel_equals_serial FROM fa;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT count(*) AS frames, bool_and(w = d) AS all_equal
FROM (SELECT account_id, funnel_agg(coalesce(furthest, 'churned'), churned)
                           OVER (ORDER BY account_id ROWS 40 PRECEDING)::text AS w FROM fa) x
JOIN LATERAL (SELECT funnel_agg(coalesce(furthest, 'churned'), churned)::text AS d
              FROM fa f WHERE f.account_id <= x.account_id
                AND f.account_id > (SELECT coalesce(max(account_id), 0) FROM
                                    (SELECT account_id FROM fa g WHERE g.account_id <= x.account_id
                                     ORDER BY account_id DESC OFFSET 41 LIMIT 1) y)) d ON true;

-- the state's forms: text, binary (golden bytes), conversions between steps only
SELECT funnel_state_send('v2 target=1 aware=2 engaged=0 opportunity=1 onboarding=0 active=0 renewing=0 expanding=0 advocate=1 churned=1 churned_unplaced=3');
SELECT funnel_state_recv_check.ok
FROM (SELECT funnel_agg(coalesce(furthest, 'churned'), churned) AS st FROM fa) s,
     LATERAL (SELECT st::text = (st::text::funnel_state)::text AS ok) funnel_state_recv_check;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  $$SELECT 'v2 target=1 aware=0 engaged=0 opportunity=0 onboarding=0 active=0 renewing=0 expanding=0 advocate=0 churned=2 churned_unplaced=0'::funnel_state$$,
  $$SELECT 'v2 target=-1 aware=0 engaged=0 opportunity=0 onboarding=0 active=0 renewing=0 expanding=0 advocate=0 churned=0 churned_unplaced=0'::funnel_state$$,
  $$SELECT 'v2 target=1'::funnel_state$$,
  $$SELECT conversion(funnel_agg(s), 'opportunity', 'aware') FROM unnest('{target}'::lifecycle_stage[]) s$$,
  $$SELECT conversion(funnel_agg(s), 'target', 'churned') FROM unnest('{target}'::lifecycle_stage[]) s$$,
  $$SELECT * FROM funnel_stages((SELECT funnel_agg('target')), 1.5)$$,
  $$SELECT * FROM conversion_interval((SELECT funnel_agg('target')), 'target', 'aware', 0)$$
]) q;

-- Time in stage: each account's first entry into a stage, to its first
-- entry, at or after that, into any later stage; against plain SQL
CREATE TABLE fp AS
SELECT account_id, segment, stage_path(stage, entered_at) AS p FROM fh GROUP BY account_id, segment;
CREATE TEMP VIEW first_entry AS
SELECT account_id, stage, min(entered_at) AS entered FROM fh GROUP BY account_id, stage;
CREATE TEMP VIEW stays AS
SELECT e.account_id, e.stage,
       (SELECT min(l.entered) FROM first_entry l
        WHERE l.account_id = e.account_id AND l.stage > e.stage AND l.entered >= e.entered) - e.entered AS days
FROM first_entry e WHERE e.stage <> 'churned';
WITH t AS (SELECT * FROM time_in_stage((SELECT time_in_stage_agg(p) FROM fp))),
ref AS (SELECT stage, count(*) AS entered, count(days) AS passed,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median, avg(days) AS mean
        FROM stays GROUP BY stage)
SELECT t.stage, t.entered, t.passed, t.median_days, round(t.mean_days::numeric, 2) AS mean_days,
       t.entered = coalesce(r.entered, 0) AND t.passed = coalesce(r.passed, 0)
         AND t.median_days IS NOT DISTINCT FROM r.median
         AND (t.mean_days IS NULL) = (r.mean IS NULL) AND coalesce(abs(t.mean_days - r.mean::float8) < 1e-9, true) AS equals_sql
FROM t LEFT JOIN ref r USING (stage) ORDER BY t.stage;
SELECT funnel_velocity(st) AS velocity,
       funnel_velocity(st) = (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY o.entered - t.entered)
                              FROM first_entry t JOIN first_entry o USING (account_id)
                              WHERE t.stage = 'target' AND o.stage = 'onboarding' AND o.entered >= t.entered) AS equals_sql
FROM (SELECT time_in_stage_agg(p) AS st FROM fp) x;
-- the same from timestamps: days with fractions, the same medians when times are midnights
SELECT bool_and(a.median_days = b.median_days OR (a.median_days IS NULL AND b.median_days IS NULL)) AS same_as_dates
FROM time_in_stage((SELECT time_in_stage_agg(p) FROM fp)) a
JOIN time_in_stage((SELECT time_in_stage_agg(p) FROM (SELECT stage_path(stage, entered_at::timestamp AT TIME ZONE 'UTC') AS p
                                                       FROM fh GROUP BY account_id) y)) b USING (stage);
SELECT * FROM time_in_stage((SELECT time_in_stage_agg(p) FROM (SELECT stage_path(s, t) AS p FROM (VALUES
  ('target'::lifecycle_stage, timestamptz '2025-03-01 09:00+00'), ('aware', '2025-03-02 21:00+00')) v(s, t)) x))
WHERE passed > 0;
-- rolled up from segments, and across a split history (rollup of stage_path)
SELECT (SELECT rollup(st)::text FROM (SELECT segment, time_in_stage_agg(p) AS st FROM fp GROUP BY segment) x)
     = (SELECT time_in_stage_agg(p)::text FROM fp) AS rollup_equals_one_pass,
       (SELECT time_in_stage_agg(p)::text FROM (SELECT account_id, rollup(p) AS p
                                                FROM (SELECT account_id, stage_path(stage, entered_at) AS p
                                                      FROM fh GROUP BY account_id, entered_at < date '2024-04-01') h
                                                GROUP BY account_id) y)
     = (SELECT time_in_stage_agg(p)::text FROM fp) AS split_history_equals;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  $$SELECT stage_path(s, d) FROM (VALUES ('target'::lifecycle_stage, date 'infinity')) v(s, d)$$,
  $$SELECT rollup(p) FROM (SELECT stage_path('target', date '2024-01-01') AS p
                          UNION ALL SELECT stage_path('target', timestamptz '2024-01-01')) v$$,
  $$SELECT 'v2 unit=3 target=1 aware=9223372036854775807 engaged=9223372036854775807 opportunity=9223372036854775807 onboarding=9223372036854775807 active=9223372036854775807 renewing=9223372036854775807 expanding=9223372036854775807 advocate=9223372036854775807 churned=9223372036854775807'::stage_path$$,
  $$SELECT 'v2 unit=1 target=1 aware=0 engaged=0 opportunity=0 onboarding=0 active=0 renewing=0 expanding=0 advocate=0 rows=[5:1,6:1]'::time_in_stage_state$$,
  $$SELECT 'v2 unit=1 target=1 aware=0 engaged=0 opportunity=0 onboarding=0 active=0 renewing=0 expanding=0 advocate=0 rows=[2305843009213693952:1]'::time_in_stage_state$$,
  $$SELECT 'v2 unit=1 target=1 aware=0 engaged=0 opportunity=0 onboarding=0 active=0 renewing=0 expanding=0 advocate=0 rows=[5:0]'::time_in_stage_state$$
]) q;
SELECT time_in_stage_state_send('v2 unit=1 target=2 aware=1 engaged=0 opportunity=0 onboarding=0 active=0 renewing=0 expanding=0 advocate=0 rows=[9:2,288230376151711746:1]');

-- Win rate: won / (won + lost), open (NULL) not counted; with its interval
CREATE TABLE opps AS
SELECT i AS id, i % 4 AS segment,
       CASE WHEN random() < 0.2 THEN NULL ELSE random() < 0.3 END AS won,
       round((1000 + random() * 90000)::numeric, 2) AS amount, 10 + floor(random() * 170)::int AS cycle_days
FROM generate_series(1, 3000) i;
SELECT segment, round(win_rate(won)::numeric, 4) AS win_rate,
       win_rate(won) = count(*) FILTER (WHERE won)::float8 / count(won) AS equals_sql,
       (proportion_interval(proportion_agg(won))).lower < win_rate(won)
         AND win_rate(won) < (proportion_interval(proportion_agg(won))).upper AS inside_interval,
       (proportion_interval(proportion_agg(won), 0.99)).lower < (proportion_interval(proportion_agg(won), 0.9)).lower AS wider_at_99
FROM opps GROUP BY ROLLUP (segment) ORDER BY segment;
SELECT win_rate(w), proportion_agg(w)::text, (proportion_interval(proportion_agg(w))).*
FROM (VALUES (NULL::boolean), (NULL)) v(w);
SELECT (wilson_interval(0, 20)).*, (wilson_interval(20, 20)).*, (wilson_interval(0, 0)).*;
-- a small segment's 60% is not better than a large one's 45%
SELECT (wilson_interval(3, 5)).lower < 0.45 AS small_overlaps, (wilson_interval(450, 1000)).upper > 0.45 AS large;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT wilson_interval(5, 4)', 'SELECT wilson_interval(-1, 4)', 'SELECT wilson_interval(1, 4, 1)',
  $$SELECT 'v2 successes=3 trials=2'::proportion_state$$
]) q;

-- Pipeline velocity and the target account list size
SELECT pipeline_velocity(count(*) FILTER (WHERE won IS NULL), win_rate(won), avg(amount) FILTER (WHERE won),
                         avg(cycle_days) FILTER (WHERE won IS NOT NULL)) AS per_day,
       pipeline_velocity(count(*) FILTER (WHERE won IS NULL), win_rate(won), avg(amount) FILTER (WHERE won),
                         avg(cycle_days) FILTER (WHERE won IS NOT NULL))
       = count(*) FILTER (WHERE won IS NULL) * win_rate(won)::numeric * avg(amount) FILTER (WHERE won)
         / (avg(cycle_days) FILTER (WHERE won IS NOT NULL))::float8::numeric AS equals_numeric
FROM opps \gset
SELECT round(:per_day, 2) AS per_day, :'equals_numeric' AS equals_numeric;
SELECT pipeline_velocity(0, 0.3, 1000, 30), pipeline_velocity(10, 0, 1000, 30), pipeline_velocity(10, 1, 0, 30);
SELECT tal_size(10, 20, 0.25, 0.1) AS tal, tal_size(10, 20, 0.25, 0.1) = 10 * 20 / 0.25 / 0.1 AS equals_sql,
       tal_size(3, 12, 1, 1) AS at_certainty, tal_size(0, 12, 0.3, 0.2) AS no_reps;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT tal_size(10, 20, 0, 0.1)', 'SELECT tal_size(10, 20, 1.2, 0.1)', 'SELECT tal_size(10, 20, 0.25, 0)',
  'SELECT tal_size(10, 20, 0.25, 1.01)', 'SELECT tal_size(-1, 20, 0.25, 0.1)', 'SELECT tal_size(10, ''NaN'', 0.25, 0.1)',
  'SELECT tal_size(10, 20, ''Infinity'', 0.1)',
  'SELECT pipeline_velocity(-1, 0.3, 1000, 30)', 'SELECT pipeline_velocity(10, 1.3, 1000, 30)',
  'SELECT pipeline_velocity(10, 0.3, -5, 30)', 'SELECT pipeline_velocity(10, 0.3, ''NaN'', 30)',
  'SELECT pipeline_velocity(10, 0.3, 1000, 0)', 'SELECT pipeline_velocity(10, 0.3, 1000, ''Infinity'')'
]) q;

DROP VIEW stays, first_entry;
DROP TABLE fh, fa, fp, opps;
