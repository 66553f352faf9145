--
-- Customer churn: the cohort formula over two counts, compounding
--
\pset null '(null)'

-- (start - end) / start, against the arithmetic written out
SELECT s, e, churn_rate(s, e), churn_rate(s, e) = (s - e)::float8 / s AS equals_sql
FROM (VALUES (100::bigint, 95::bigint), (784, 616), (1, 0), (1, 1), (9223372036854775807, 0),
             (9223372036854775807, 9223372036854775806)) v(s, e);
SELECT churn_rate(0, 0) AS empty_cohort, churn_rate(NULL, 5) AS null_count;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT churn_rate(10, 11)',
  'SELECT churn_rate(-1, 0)',
  'SELECT churn_rate(10, -1)'
]) q;

-- compounding: annual = 1 - (1 - monthly)^12 and back, against SQL
SELECT r AS monthly, churn_rate_over(r, 12) AS annual,
       abs(churn_rate_over(r, 12) - (1 - (1 - r) ^ 12)) < 1e-15 AS equals_sql,
       abs(churn_rate_over(churn_rate_over(r, 12), 1.0 / 12) - r) < 1e-15 AS round_trip
FROM (VALUES (0::float8), (0.01), (0.025), (0.5), (1)) v(r);
-- small rates keep their digits: 1e-12 a month is 1.2e-11 a year, not 0
SELECT churn_rate_over(1e-12, 12) AS tiny_annual, churn_rate_over(0.3, 1) AS one_period,
       churn_rate_over(0.02, 2.5) AS fractional_periods;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT churn_rate_over(1.5, 12)',
  'SELECT churn_rate_over(-0.1, 12)',
  'SELECT churn_rate_over(''NaN'', 12)',
  'SELECT churn_rate_over(0.1, 0)',
  'SELECT churn_rate_over(0.1, ''Infinity'')'
]) q;

-- churn_rate(started, ended, period): of the lifetimes [started, ended)
-- active at the period's start lo, the share that ended by its end hi
CREATE TABLE subs AS
SELECT g AS id, g % 5 AS segment, d AS started,
       CASE WHEN g % 4 = 0 THEN NULL ELSE d + abs(hashint4(g * 3)) % 500 END AS ended
FROM generate_series(1, 20000) g, LATERAL (SELECT date '2024-01-01' + abs(hashint4(g)) % 700 AS d) x;
-- against plain SQL, for every quarter of 2024 and 2025
SELECT q::date AS quarter, r.churn_rate, r.churn_rate = p.rate AS equals_sql, r.customers_at_start, r.churned
FROM generate_series(date '2024-01-01', date '2025-10-01', interval '3 months') q
CROSS JOIN LATERAL (SELECT churn_rate(started, ended, daterange(q::date, (q + interval '3 months')::date)),
                           customers_at_start(churn_agg(started, ended, daterange(q::date, (q + interval '3 months')::date))),
                           churned(churn_agg(started, ended, daterange(q::date, (q + interval '3 months')::date)))
                    FROM subs) r
CROSS JOIN LATERAL (SELECT (count(*) FILTER (WHERE started <= q AND (ended IS NULL OR ended > q)
                                              AND ended <= q + interval '3 months'))::float8
                           / nullif(count(*) FILTER (WHERE started <= q AND (ended IS NULL OR ended > q)), 0) AS rate
                    FROM subs) p
ORDER BY q;

-- every boundary: started = lo counts, ended = lo does not, ended = hi
-- churned, an empty lifetime never counts, open-ended stays
SELECT label, churn_rate(s, e, daterange('2025-01-01', '2025-02-01')) AS rate,
       customers_at_start(churn_agg(s, e, daterange('2025-01-01', '2025-02-01'))) AS active
FROM (VALUES ('started at lo, open', date '2025-01-01', NULL::date),
             ('started at lo, ended at hi', '2025-01-01', '2025-02-01'),
             ('ended at lo', '2024-06-01', '2025-01-01'),
             ('ended the day after lo', '2024-06-01', '2025-01-02'),
             ('ended the day after hi', '2024-06-01', '2025-02-02'),
             ('empty lifetime at lo', '2025-01-01', '2025-01-01'),
             ('started after lo', '2025-01-02', '2025-01-20'),
             ('ended infinity', '2024-06-01', 'infinity')) v(label, s, e)
GROUP BY ROLLUP (label) ORDER BY label NULLS LAST;
-- timestamps with time zones: an instant, not a calendar day
SET timezone = 'America/New_York';
SELECT churn_rate(s, e, tstzrange('2025-03-01 00:00-05', '2025-04-01 00:00-04')) AS rate,
       customers_at_start(churn_agg(s, e, tstzrange('2025-03-01 00:00-05', '2025-04-01 00:00-04'))) AS active
FROM (VALUES (timestamptz '2025-02-28 23:59:59-05', timestamptz '2025-04-01 00:00-04'),
             ('2025-03-01 00:00-05', '2025-04-01 00:00:01-04'),
             ('2025-03-01 00:00:01-05', NULL),
             ('2025-01-01 00:00-05', '2025-03-01 05:00+00')) v(s, e);
RESET timezone;
SELECT churn_rate(started, ended, daterange('2020-01-01', '2020-02-01')) AS no_one_active FROM subs;
SELECT churn_rate(started, ended, daterange('2025-01-01', '2025-02-01')) AS no_rows FROM subs WHERE false;
SELECT churn_rate(NULL::date, NULL, daterange('2025-01-01', '2025-02-01')) AS null_start,
       churn_rate(date '2024-01-01', NULL, NULL::daterange) AS null_period;

-- bad input: a clear error with its SQLSTATE
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  $$SELECT churn_rate(date '2025-01-05', date '2025-01-04', daterange('2025-01-01', '2025-02-01'))$$,
  $$SELECT churn_rate(date '2025-01-05', NULL, 'empty'::daterange)$$,
  $$SELECT churn_rate(date '2025-01-05', NULL, daterange('2025-01-01', NULL))$$,
  $$SELECT churn_rate(date '2025-01-05', NULL, daterange('-infinity', '2025-01-01'))$$,
  $$SELECT churn_rate(now(), NULL, tstzrange(now(), now() + interval '1 day', '(]'))$$,
  $$SELECT churn_rate(date 'infinity', NULL, daterange('2025-01-01', '2025-02-01'))$$,
  $$SELECT churn_rate(s, NULL, daterange(s, s + 30)) FROM (VALUES (date '2025-01-01'), (date '2025-01-02')) v(s)$$,
  $$SELECT rollup(st) FROM (SELECT churn_agg(date '2025-01-01', NULL, daterange('2025-01-01', '2025-02-01')) AS st
                           UNION ALL SELECT churn_agg(date '2025-01-01', NULL, daterange('2025-02-01', '2025-03-01'))) v$$,
  $$SELECT 'v2 period_start=0 period_end=0 active=1 churned=0'::churn_state$$,
  $$SELECT 'v2 period_start=0 period_end=10 active=1 churned=2'::churn_state$$,
  $$SELECT 'v2 period_start=-9223372036854775808 period_end=-9223372036854775808 active=1 churned=0'::churn_state$$
]) q;

-- the state: text and binary forms, merging segments, parallel, windows
SELECT churn_agg(started, ended, daterange('2025-01-01', '2025-04-01')) FROM subs;
SELECT churn_state_send('v2 period_start=789004800000000 period_end=796780800000000 active=7 churned=2');
SELECT (SELECT rollup(st) FROM (SELECT segment, churn_agg(started, ended, daterange('2025-01-01', '2025-04-01')) AS st
                                FROM subs GROUP BY segment) x)::text
     = (SELECT churn_agg(started, ended, daterange('2025-01-01', '2025-04-01')) FROM subs)::text AS rollup_equals_one_pass;
CREATE TEMP TABLE churn_serial AS
SELECT churn_agg(started, ended, daterange('2025-01-01', '2025-04-01'))::text AS st FROM subs;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT churn_rate(started, ended, daterange('2025-01-01', '2025-04-01')) FROM subs;
SELECT churn_agg(started, ended, daterange('2025-01-01', '2025-04-01'))::text = (SELECT st FROM churn_serial)
       AS parallel_equals_serial FROM subs;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT count(*) AS frames, bool_and(w.st = d.st) AS all_equal
FROM (SELECT id, churn_agg(started, ended, daterange('2025-01-01', '2025-04-01')) OVER (ORDER BY id ROWS 500 PRECEDING)::text AS st
      FROM subs WHERE id <= 2000) w
CROSS JOIN LATERAL (SELECT churn_agg(started, ended, daterange('2025-01-01', '2025-04-01'))::text AS st FROM subs b
                    WHERE b.id BETWEEN w.id - 500 AND w.id) d;

-- customers with several subscriptions: churn_rate(customer, started, ended,
-- period).  A customer churns when its last subscription ends; one who
-- leaves and comes back within the period has not churned; one whose
-- subscriptions leave a gap over the period's start was not a customer then.
CREATE TABLE customer_subs AS
SELECT g AS id, 1 + abs(hashint4(g)) % 3000 AS customer, d AS started,
       CASE WHEN g % 5 = 0 THEN NULL ELSE d + abs(hashint4(g * 7)) % 300 END AS ended
FROM generate_series(1, 12000) g, LATERAL (SELECT date '2024-01-01' + abs(hashint4(g * 3)) % 700 AS d) x;
-- against plain SQL: per customer, any subscription active at lo, any at hi
SELECT q::date AS quarter, r.rate, r.rate = p.rate AS equals_sql, r.active, r.churned
FROM generate_series(date '2024-04-01', date '2025-10-01', interval '3 months') q
CROSS JOIN LATERAL (SELECT churn_rate(customer, started, ended, daterange(q::date, (q + interval '3 months')::date)) AS rate,
                           customers_at_start(churn_agg(customer, started, ended, daterange(q::date, (q + interval '3 months')::date))) AS active,
                           churned(churn_agg(customer, started, ended, daterange(q::date, (q + interval '3 months')::date))) AS churned
                    FROM customer_subs) r
CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE at_lo AND NOT at_hi)::float8 / nullif(count(*) FILTER (WHERE at_lo), 0) AS rate
                    FROM (SELECT customer,
                                 bool_or(started <= q AND (ended IS NULL OR ended > q)) AS at_lo,
                                 bool_or(started <= q + interval '3 months' AND (ended IS NULL OR ended > q + interval '3 months')) AS at_hi
                          FROM customer_subs GROUP BY customer) c) p
ORDER BY q;
-- the cases one by one
SELECT churn_agg(c, s, e, daterange('2025-01-01', '2025-04-01')) AS st,
       churn_rate(c, s, e, daterange('2025-01-01', '2025-04-01')) AS rate
FROM (VALUES (1, date '2024-01-01', date '2025-02-01'), (1, '2025-03-01', NULL),   -- left and came back: stays
             (2, '2024-06-01', '2025-03-15'), (2, '2024-06-01', '2025-04-01'),     -- last subscription ends at hi: churned
             (3, '2025-01-01', '2025-04-01'),                                      -- started at lo, ended at hi: churned
             (4, '2024-01-01', '2024-12-01'), (4, '2025-01-10', NULL),            -- a gap over lo: not a customer at lo
             (5, '2024-01-01', NULL), (5, '2024-02-01', '2025-02-01')) v(c, s, e); -- one of two ends: stays
-- one customer's subscriptions split across shards count once
SELECT (SELECT rollup(st) FROM (SELECT id % 4 AS shard, churn_agg(customer, started, ended, daterange('2025-01-01', '2025-04-01')) AS st
                                FROM customer_subs GROUP BY 1) x)::text
     = (SELECT churn_agg(customer, started, ended, daterange('2025-01-01', '2025-04-01')) FROM customer_subs)::text AS rollup_equals_one_pass;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT churn_rate(customer, started, ended, daterange('2025-01-01', '2025-04-01'))
       = (SELECT churn_rate(st) FROM (SELECT churn_agg(customer, started, ended, daterange('2025-01-01', '2025-04-01')) AS st
                                     FROM customer_subs) x) AS parallel_equals_serial
FROM customer_subs;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT count(*) AS frames, bool_and(w.st = d.st) AS all_equal
FROM (SELECT id, churn_agg(customer, started, ended, daterange('2025-01-01', '2025-04-01')) OVER (ORDER BY id ROWS 300 PRECEDING)::text AS st
      FROM customer_subs WHERE id <= 1500) w
CROSS JOIN LATERAL (SELECT churn_agg(customer, started, ended, daterange('2025-01-01', '2025-04-01'))::text AS st FROM customer_subs b
                    WHERE b.id BETWEEN w.id - 300 AND w.id) d;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  $$SELECT churn_rate(1, date '2025-01-05', date '2025-01-04', daterange('2025-01-01', '2025-02-01'))$$,
  $$SELECT churn_rate(1, now(), NULL, 'empty'::tstzrange)$$,
  $$SELECT 'v2 period_start=0 period_end=10 rows=[1:1:0,1:0:1]'::customer_churn_state$$,
  $$SELECT 'v2 period_start=-9223372036854775808 period_end=-9223372036854775808 rows=[1:1:0]'::customer_churn_state$$
]) q;
SELECT churn_rate(NULL::bigint, date '2025-01-01', NULL, daterange('2025-01-01', '2025-02-01')) AS null_customer;

-- repeat purchase rate: over one row per customer with its number of purchases
CREATE TABLE orders AS
SELECT g AS order_id, 1 + (abs(hashint4(g)) % 4000) AS customer FROM generate_series(1, 9000) g;
SELECT repeat_purchase_rate(n) AS rate,
       repeat_purchase_rate(n) = (count(*) FILTER (WHERE n >= 2))::float8 / count(*) AS equals_sql,
       customers(repeat_purchase_agg(n)), repeat_customers(repeat_purchase_agg(n)),
       repeat_purchase_agg(n::int)::text = repeat_purchase_agg(n)::text AS int_equals_bigint
FROM (SELECT customer, count(*) AS n FROM orders GROUP BY customer) c;
SELECT repeat_purchase_rate(n) FROM (VALUES (0), (1), (2), (NULL), (7)) v(n);
SELECT repeat_purchase_rate(n) AS no_customers FROM (VALUES (NULL::int)) v(n);
SELECT sqlstate_of('SELECT repeat_purchase_rate(-1)'),
       sqlstate_of($$SELECT 'v2 customers=1 repeat_customers=2'::repeat_purchase_state$$);
SELECT repeat_purchase_state_send('v2 customers=5 repeat_customers=2');
SELECT (SELECT rollup(st) FROM (SELECT customer % 3, repeat_purchase_agg(n) AS st
                                FROM (SELECT customer, count(*) AS n FROM orders GROUP BY customer) c GROUP BY 1) x)::text
     = (SELECT repeat_purchase_agg(n) FROM (SELECT customer, count(*) AS n FROM orders GROUP BY customer) c)::text AS rollup_equals_one_pass;
