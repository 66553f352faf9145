--
-- Account engagement: engagement_agg, rollups of daily states, the decayed
-- engagement at any as-of date, the surge z-score
--
\pset null '(null)'
SELECT setseed(0.73);

CREATE TABLE en_touch (account_id int, touched_on date, weight numeric);
INSERT INTO en_touch
SELECT 1 + floor(random() * 40)::int, date '2026-01-01' + floor(random() * 180)::int,
       (ARRAY[1, 1, 1, 2.5, 10])[1 + floor(random() * 5)::int]
FROM generate_series(1, 6000);

-- daily states, as a materialized view would keep them
CREATE TABLE en_daily AS
SELECT account_id, touched_on, engagement_agg(weight, touched_on) AS st FROM en_touch GROUP BY 1, 2;

-- rolled up to one state per account: the same state as one pass over the touches
SELECT count(*) AS accounts,
       bool_and(r.st::text = d.st::text) AS rollup_equals_one_pass
FROM (SELECT account_id, rollup(st) AS st FROM en_daily GROUP BY 1) r
JOIN (SELECT account_id, engagement_agg(weight, touched_on) AS st FROM en_touch GROUP BY 1) d USING (account_id);

-- the decayed engagement at several as-of dates (touches after as_of do not
-- count) and half-lives, against the sum written out
SELECT as_of, half_life, count(*) AS accounts,
       max(abs(e.engagement - s.by_hand) / greatest(1, abs(s.by_hand))) < 1e-12 AS equals_sql
FROM (VALUES (date '2026-02-15'), ('2026-04-01'), ('2026-06-29'), ('2026-12-31')) a(as_of)
CROSS JOIN (VALUES (interval '7 days'), ('30 days'), ('1 year')) h(half_life)
CROSS JOIN LATERAL (
  SELECT account_id, engagement(rollup(st), a.as_of, h.half_life) AS engagement
  FROM en_daily GROUP BY account_id) e
JOIN LATERAL (
  SELECT account_id, coalesce(sum(weight::float8 * power(2::float8, -(a.as_of - touched_on)::float8
                                                        / (extract(epoch FROM h.half_life) / 86400)::float8))
                              FILTER (WHERE touched_on <= a.as_of), 0) AS by_hand
  FROM en_touch GROUP BY account_id) s USING (account_id)
GROUP BY as_of, half_life ORDER BY as_of, half_life;

-- engagement_as_of: the decayed sum read as the touches are, at the same
-- dates and half-lives, against the same sum written out; the 3-argument
-- form is the 30-day half-life; timestamptz touches count on their UTC day
SELECT as_of, half_life, count(*) AS accounts,
       max(abs(e.engagement - s.by_hand) / greatest(1, abs(s.by_hand))) < 1e-12 AS equals_sql,
       max(abs(e.engagement - e.from_state) / greatest(1, abs(e.from_state))) < 1e-12 AS equals_state
FROM (VALUES (date '2026-02-15'), ('2026-04-01'), ('2026-06-29'), ('2026-12-31')) a(as_of)
CROSS JOIN (VALUES (interval '7 days'), ('30 days'), ('1 year')) h(half_life)
CROSS JOIN LATERAL (
  SELECT account_id, engagement_as_of(weight, touched_on, a.as_of, h.half_life) AS engagement,
         engagement(engagement_agg(weight, touched_on), a.as_of, h.half_life) AS from_state
  FROM en_touch GROUP BY account_id) e
JOIN LATERAL (
  SELECT account_id, coalesce(sum(weight::float8 * power(2::float8, -(a.as_of - touched_on)::float8
                                                        / (extract(epoch FROM h.half_life) / 86400)::float8))
                              FILTER (WHERE touched_on <= a.as_of), 0) AS by_hand
  FROM en_touch GROUP BY account_id) s USING (account_id)
GROUP BY as_of, half_life ORDER BY as_of, half_life;
SELECT engagement_as_of(weight, touched_on, date '2026-04-01')
       = engagement_as_of(weight, touched_on, date '2026-04-01', '30 days') AS default_is_30_days,
       engagement_as_of(weight, (touched_on + time '23:59')::timestamp AT TIME ZONE 'UTC', date '2026-04-01')
       = engagement_as_of(weight, touched_on, date '2026-04-01') AS utc_day
FROM en_touch;
-- no row: NULL; NULL arguments skip the row; only touches after as_of: 0
SELECT engagement_as_of(w, d, date '2026-01-31') AS no_rows FROM (SELECT 1.0, date '2026-01-01' WHERE false) v(w, d);
SELECT engagement_as_of(w, d, a) AS skipping_nulls
FROM (VALUES (NULL::numeric, date '2026-01-01', date '2026-01-31'), (2, NULL, '2026-01-31'),
             (4, '2026-01-01', NULL), (8, '2026-01-31', '2026-01-31')) v(w, d, a);
SELECT engagement_as_of(1, date '2026-02-01', date '2026-01-31') AS only_later_touches;
-- parallel = serial (float sums of partial sums: to rounding)
SELECT engagement_as_of(weight, touched_on, date '2026-06-29') AS serial_sum FROM en_touch \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE en_par AS SELECT * FROM en_touch;
EXPLAIN (COSTS OFF) SELECT engagement_as_of(weight, touched_on, date '2026-06-29') FROM en_par;
SELECT abs(engagement_as_of(weight, touched_on, date '2026-06-29') - :serial_sum) < 1e-9 * :serial_sum AS parallel_equals_serial
FROM en_par;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE en_par;

-- exact weights: a state keeps the digits
SELECT engagement_agg(w, d) FROM (VALUES (0.1, date '2026-01-01'), (0.2, '2026-01-01'), (1e-30, '2026-01-02'),
                                         (12345678901234567890.5, '2026-01-03')) v(w, d);
SELECT engagement(engagement_agg(w, t), '2026-01-02', '1 day')
FROM (VALUES (4, timestamptz '2026-01-01 23:30+00'), (4, '2026-01-02 00:30+00')) v(w, t);

-- parallel = serial; a sliding window = each frame computed anew
CREATE TABLE en_all AS SELECT * FROM en_touch;
SELECT engagement_agg(weight, touched_on)::text AS serial FROM en_all \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT engagement_agg(weight, touched_on) FROM en_all;
SELECT engagement_agg(weight, touched_on)::text = :'serial' AS parallel_equals_serial FROM en_all;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT count(*) AS frames, bool_and(w.st = d.st) AS all_equal
FROM (SELECT touched_on, rollup(st) OVER (ORDER BY touched_on RANGE BETWEEN '27 days' PRECEDING AND CURRENT ROW)::text AS st
      FROM (SELECT touched_on, rollup(st) AS st FROM en_daily GROUP BY 1) x) w
JOIN LATERAL (SELECT engagement_agg(weight, t.touched_on)::text AS st FROM en_touch t
              WHERE t.touched_on BETWEEN w.touched_on - 27 AND w.touched_on) d ON true;

-- surges: the last 7 days against the 8 weeks before, against SQL
WITH weeks AS (
  SELECT account_id, k, coalesce(sum(weight) FILTER (WHERE (date '2026-06-29' - touched_on) / 7 = k), 0)::float8 AS w
  FROM en_touch, generate_series(0, 8) k
  WHERE touched_on <= date '2026-06-29'
  GROUP BY account_id, k),
z AS (
  SELECT account_id, max(w) FILTER (WHERE k = 0) AS last_week,
         avg(w) FILTER (WHERE k > 0) AS mean, stddev_samp(w) FILTER (WHERE k > 0) AS sd
  FROM weeks GROUP BY account_id)
SELECT count(*) AS accounts,
       bool_and(abs(e.z - (z.last_week - z.mean) / z.sd) < 1e-9) AS zscore_equals_sql,
       count(*) FILTER (WHERE e.z >= 2) AS surging
FROM z JOIN (SELECT account_id, engagement_zscore(rollup(st), '2026-06-29') AS z FROM en_daily GROUP BY 1) e USING (account_id)
WHERE z.sd > 0;
SELECT engagement_zscore(engagement_agg(0.1, d), '2026-03-31', 4) AS flat_decimal_baseline,
       engagement_zscore(engagement_agg(1, d), '2026-03-31', 4) AS flat_baseline_then_same,
       engagement_zscore(engagement_agg(CASE WHEN d > '2026-03-24' THEN 5 ELSE 1 END, d), '2026-03-31', 4) AS flat_baseline_then_more
FROM generate_series(date '2026-01-01', '2026-03-31', '1 day') d;

-- forms and bad input
SELECT engagement_state_send('v2 rows=[9648:3.50,9667:3.00]');
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  $$SELECT engagement_agg(-1, date '2026-01-01')$$,
  $$SELECT engagement_agg(1, date 'infinity')$$,
  $$SELECT engagement_agg(1, timestamptz '-infinity')$$,
  $$SELECT engagement_agg('NaN', date '2026-01-01')$$,
  $$SELECT engagement('v2 rows=[9648:1]', 'infinity')$$,
  $$SELECT engagement('v2 rows=[9648:1]', '2026-06-01', '0 days')$$,
  $$SELECT engagement('v2 rows=[9648:1]', '2026-06-01', '-3 days')$$,
  $$SELECT engagement_zscore('v2 rows=[9648:1]', '2026-06-01', 1)$$,
  $$SELECT engagement_as_of(-1, date '2026-01-01', date '2026-06-01')$$,
  $$SELECT engagement_as_of('NaN', date '2026-01-01', date '2026-06-01')$$,
  $$SELECT engagement_as_of(1e400, date '2026-01-01', date '2026-06-01')$$,
  $$SELECT engagement_as_of(w, date '2026-01-01', date '2026-01-01') FROM (VALUES (1e300), (1e308), (1e308)) v(w)$$,
  $$SELECT engagement_as_of(1, date 'infinity', date '2026-06-01')$$,
  $$SELECT engagement_as_of(1, date '2026-01-01', date 'infinity')$$,
  $$SELECT engagement_as_of(1, date '2026-01-01', date '2026-06-01', '0 days')$$,
  $$SELECT engagement_as_of(1, timestamptz '2026-01-01', date '2026-06-01', '-1 day')$$,
  $$SELECT engagement_zscore('v2 rows=[9648:1]', '2026-06-01', 521)$$,
  $$SELECT 'v2 rows=[9648:-1]'::engagement_state$$,
  $$SELECT 'v2 rows=[9999999999:1]'::engagement_state$$,
  $$SELECT 'v2 rows=[9648:1,9648:2]'::engagement_state$$
]) q;

DROP TABLE en_touch, en_daily, en_all;
