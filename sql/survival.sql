--
-- survival_state: Kaplan-Meier lifetimes (the first state with rows)
--
\pset null '(null)'

-- text form: rows of time:events:censored, distinct times ascending
SELECT 'v2 rows=[0:0:1,3:2:0,7.5:1:1]'::survival_state AS st;
SELECT 'v2 rows=[]'::survival_state AS empty, subjects('v2 rows=[]'), churned('v2 rows=[]'::survival_state);
SELECT subjects(s), churned(s) FROM (SELECT 'v2 rows=[0:0:1,3:2:0,7.5:1:1]'::survival_state s) x;

-- golden forms: binary (big-endian: version, flags, row count, then each
-- row's time as IEEE bits, events, censored) and the stored native datum
SELECT survival_state_send('v2 rows=[3:2:0,7.5:1:1]');
BEGIN;
CREATE CAST (survival_state AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS survival_state) WITHOUT FUNCTION;
SELECT 'v2 rows=[3:2:0,7.5:1:1]'::survival_state::bytea AS stored;
-- crafted datums are refused by every reader
SELECT d AS crafted_datum, sqlstate_of(format('SELECT subjects(%L::bytea::survival_state)', d)) AS subjects,
       sqlstate_of(format('SELECT count(*) FROM survival_curve(%L::bytea::survival_state)', d)) AS curve,
       sqlstate_of(format('SELECT rollup(s) FROM (VALUES (%L::bytea::survival_state)) v(s)', d)) AS rollup
FROM unnest(ARRAY[
  '\x',                                                                                   -- empty
  '\x020300000200000000000000',                                                           -- two rows announced, none there
  '\x020300000100000000000000000000000000084000000000000000000000000000000000',           -- a time with no subjects
  '\x020300000100000000000000000000000000f87f01000000000000000000000000000000',           -- NaN time
  '\x020300000100000000000000ffffffffffff0fc001000000000000000000000000000000',           -- time -1
  '\x0203000001000000000000000000000000000840ffffffffffffffff0000000000000000',           -- negative events
  '\x020300000200000000000000000000000000084001000000000000000000000000000000000000000000004001000000000000000000000000000000', -- times decreasing
  '\x020300000100000007000000000000000000084001000000000000000000000000000000',           -- padding not zero
  '\x02030000010000000000000000000000000008400100000000000000000000000000000000'          -- a byte too many
]) d;
ROLLBACK;

-- malformed text: 22P02; negative counts, bad times: 22003
SELECT sqlstate_of(format('SELECT %L::survival_state', t)) FROM unnest(ARRAY[
  'v2',
  'v2 rows=[3:1]',
  'v2 rows=[3:1:0,2:1:0]',
  'v2 rows=[3:1:0,3:1:0]',
  'v2 rows=[3:-1:0]',
  'v2 rows=[-1:1:0]',
  'v2 rows=[3:0:0]',
  'v2 rows=[nan:1:0]',
  'v2 rows=[1e999:1:0]',
  'v2 rows=[3:1:0] confidence=0.9',
  'v3 rows=[3:1:0]',
  'v2 rows=[3:1:0]x'
]) t;

-- data: lifetimes in days, with ties, censoring, time 0, four segments
CREATE TABLE lifetimes AS
SELECT g AS id, g % 4 AS segment,
       CASE WHEN g % 97 = 0 THEN 0 ELSE (abs(hashint4(g)) % 400) / 7 END AS days,
       abs(hashint4(g * 3)) % 10 < 6 AS churned
FROM generate_series(1, 3000) g;

-- the curve against an independent computation in plain SQL (grouped
-- counts, window functions): S, Greenwood std_err, and the log band
CREATE FUNCTION pg_temp.km_sql(seg int)
RETURNS TABLE (t float8, at_risk bigint, events bigint, censored bigint, s float8, se float8, lo float8, hi float8)
LANGUAGE sql AS $$
  WITH c AS (
    SELECT days::float8 AS t, count(*) FILTER (WHERE churned) AS d, count(*) FILTER (WHERE NOT churned) AS c
    FROM lifetimes WHERE seg IS NULL OR segment = seg GROUP BY days),
  r AS (
    SELECT t, d, c, sum(d + c) OVER (ORDER BY t DESC) AS n FROM c),
  k AS (
    SELECT t, n, d, c,
           exp(sum(ln((n - d)::float8 / n)) OVER (ORDER BY t)) AS s,
           sqrt(sum(d::float8 / (n * (n - d))) OVER (ORDER BY t)) AS se
    FROM r)
  SELECT t, n, d, c, s, se, s * exp(-1.959963984540054 * se), least(1, s * exp(1.959963984540054 * se)) FROM k ORDER BY t
$$;
SELECT count(*) AS rows, bool_and(k.time = q.t AND k.at_risk = q.at_risk AND k.events = q.events
                                  AND k.censored = q.censored) AS counts_equal,
       max(abs(k.survival - q.s)) < 1e-12 AS survival_equal,
       max(abs(k.std_err - q.se)) < 1e-12 AS std_err_equal,
       max(abs(k.lower - q.lo)) < 1e-12 AND max(abs(k.upper - q.hi)) < 1e-12 AS band_equal
FROM (SELECT (survival_curve(survival_agg(days, churned))).* FROM lifetimes) k
JOIN pg_temp.km_sql(NULL) q ON q.t = k.time;

-- the first rows of one segment's curve
SELECT time, at_risk, events, censored, round(survival::numeric, 6) AS survival,
       round(std_err::numeric, 6) AS std_err, round(lower::numeric, 6) AS lower, round(upper::numeric, 6) AS upper
FROM survival_curve((SELECT survival_agg(days, churned) FROM lifetimes WHERE segment = 1))
ORDER BY time LIMIT 5;
SELECT segment, subjects(st), churned(st), median_lifetime(st), (median_lifetime_interval(st)).*,
       round(survival_at(st, 30)::numeric, 6) AS s30, round(restricted_mean_lifetime(st, 50)::numeric, 6) AS rmean50
FROM (SELECT segment, survival_agg(days, churned) AS st FROM lifetimes GROUP BY segment) x ORDER BY segment;

-- every lifetime type: integer, bigint, double precision, interval (days)
SELECT survival_agg(d::int, c)::text = survival_agg(d::bigint, c)::text AS int_bigint,
       survival_agg(d::int, c)::text = survival_agg(d::float8, c)::text AS int_float8,
       survival_agg(d::int, c)::text = survival_agg(make_interval(days => d), c)::text AS int_interval
FROM (SELECT days AS d, churned AS c FROM lifetimes) x;
SELECT survival_agg(x, true) FROM (VALUES (0.5::float8), (1.25), (0.5)) v(x);
SELECT survival_agg(x, false) FROM (VALUES (interval '36 hours'), (interval '1 day')) v(x);

-- states merge by time: per-segment states rolled up equal one pass, and the
-- order of the rows does not matter
SELECT (SELECT rollup(st) FROM (SELECT survival_agg(days, churned) AS st FROM lifetimes GROUP BY segment) x)::text
     = (SELECT survival_agg(days, churned) FROM lifetimes)::text AS rollup_equals_one_pass,
       (SELECT survival_agg(days, churned ORDER BY id DESC) FROM lifetimes)::text
     = (SELECT survival_agg(days, churned ORDER BY id) FROM lifetimes)::text AS order_free;

-- parallel and partitionwise plans equal the serial result
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT survival_agg(days, churned) FROM lifetimes;
SELECT survival_agg(days, churned)::text = (SELECT st FROM (SELECT survival_agg(days, churned)::text AS st FROM lifetimes) s)
       AS parallel_equal FROM lifetimes;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
CREATE TABLE lifetimes_part (id int, segment int, days int, churned bool) PARTITION BY LIST (segment);
CREATE TABLE lifetimes_part_0 PARTITION OF lifetimes_part FOR VALUES IN (0, 1);
CREATE TABLE lifetimes_part_1 PARTITION OF lifetimes_part FOR VALUES IN (2, 3);
INSERT INTO lifetimes_part SELECT id, segment, days, churned FROM lifetimes;
ANALYZE lifetimes_part;
SET enable_partitionwise_aggregate = on;
SELECT (SELECT survival_agg(days, churned)::text FROM lifetimes_part) = (SELECT survival_agg(days, churned)::text FROM lifetimes)
       AS partitionwise_equal;
RESET enable_partitionwise_aggregate;

-- sliding windows: the inverse takes lifetimes back out, equal to recomputing each frame
SELECT count(*) AS frames, bool_and(w.st = d.st) AS all_equal
FROM (SELECT id, survival_agg(days, churned) OVER (ORDER BY id ROWS 200 PRECEDING)::text AS st
      FROM lifetimes WHERE id <= 1000) w
CROSS JOIN LATERAL (SELECT survival_agg(days, churned)::text AS st FROM lifetimes b
                    WHERE b.id BETWEEN w.id - 200 AND w.id) d;
-- and over stored states: rollup's inverse takes a stored state's rows back out
CREATE TABLE lifetime_states AS
SELECT id / 100 AS bucket, survival_agg(days, churned) AS st FROM lifetimes GROUP BY 1;
SELECT count(*) AS frames, bool_and(w.st = d.st) AS all_equal
FROM (SELECT bucket, rollup(st) OVER (ORDER BY bucket ROWS 3 PRECEDING)::text AS st FROM lifetime_states) w
CROSS JOIN LATERAL (SELECT survival_agg(days, churned)::text AS st FROM lifetimes b
                    WHERE b.id / 100 BETWEEN w.bucket - 3 AND w.bucket) d;

-- edge cases
SELECT survival_agg(days, churned) AS no_rows FROM lifetimes WHERE false;
SELECT survival_agg(NULL::int, true) AS all_null, survival_agg(3, NULL) AS churned_null;
SELECT * FROM survival_curve('v2 rows=[]');
SELECT median_lifetime('v2 rows=[]'), (median_lifetime_interval('v2 rows=[]')).*, survival_at('v2 rows=[]', 3);
-- only censoring at time 0; everyone churns at the last time (S = 0: std_err Inf, band NULL)
SELECT * FROM survival_curve('v2 rows=[0:0:3,2:1:0,5:2:0]');
SELECT * FROM survival_curve('v2 rows=[0:0:3,2:1:0,5:2:0]', 0.9, 'log-log');
SELECT * FROM survival_curve('v2 rows=[0:0:3,2:1:0,5:2:0]', 0.9, 'plain');
-- medians: S never below 0.5 (NULL); S = 0.5 exactly, then lower (the midpoint
-- of the two times); S = 0.5 to the end (R gives the time S reached 0.5)
SELECT median_lifetime('v2 rows=[1:1:0,2:0:5]') AS never_below_half,
       median_lifetime('v2 rows=[1:1:0,2:1:0,3:1:0,4:1:0]') AS midpoint,
       median_lifetime('v2 rows=[1:1:0,2:0:1]') AS half_to_the_end;

-- bad input: a clear error with its SQLSTATE
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT survival_agg(-1, true)',
  'SELECT survival_agg(9007199254740993::bigint, true)',
  'SELECT survival_agg(''NaN''::float8, true)',
  'SELECT survival_agg(''Infinity''::float8, false)',
  'SELECT survival_agg(interval ''-1 day'', true)',
  'SELECT * FROM survival_curve(''v2 rows=[1:1:0]'', 1.5)',
  'SELECT * FROM survival_curve(''v2 rows=[1:1:0]'', 0.95, ''logit'')',
  'SELECT * FROM median_lifetime_interval(''v2 rows=[1:1:0]'', 0)',
  'SELECT restricted_mean_lifetime(''v2 rows=[1:1:0]'', ''Infinity'')',
  'SELECT abm_state_subtract(''v2 rows=[1:1:0]''::survival_state, ''v2 rows=[1:2:0]''::survival_state)',
  'SELECT abm_state_subtract(''v2 rows=[1:1:0]''::survival_state, ''v2 rows=[2:1:0]''::survival_state)'
]) q;
-- merge and subtract called directly
SELECT abm_state_combine('v2 rows=[1:1:0,3:0:2]'::survival_state, 'v2 rows=[2:1:1,3:1:0]'),
       abm_state_subtract('v2 rows=[1:1:0,3:1:2]'::survival_state, 'v2 rows=[3:1:0]'),
       abm_state_subtract('v2 rows=[1:1:0]'::survival_state, 'v2 rows=[1:1:0]');
SELECT survival_trans(NULL, 3, true), survival_trans('v2 rows=[3:1:0]', 3, false), survival_inv('v2 rows=[3:1:1]', 3, true);
