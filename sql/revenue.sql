--
-- Revenue retention: mrr_movement, the MRR bridge, NRR and GRR, exact money
--
\pset null '(null)'

-- mrr_movement: the six movements, and its labels in order
SELECT p, c, pb, mrr_movement(p, c, pb)
FROM (VALUES (0::numeric, 10::numeric, false), (0, 10, true), (10, 25.5, false), (10, 9.99, false),
             (10, 0, true), (10, 10.000, false), (0, 0, true), (0.0001, 0.0002, false)) v(p, c, pb);
SELECT mrr_movement(0, 5) AS default_is_new, 'Churned'::mrr_movement AS alias, mrr_movement_labels();
SELECT 'new'::mrr_movement < 'churn'::mrr_movement AS ordered,
       max(m) AS last_label FROM unnest(mrr_movement_labels()) m;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT mrr_movement(-1, 5)',
  'SELECT mrr_movement(1, ''NaN'')',
  'SELECT mrr_movement(''Infinity'', 1)',
  'SELECT ''upsold''::mrr_movement'
]) q;

-- Accounts: MRR at a quarter's start and end, with every movement, in
-- numeric(12, 2); paid_before for the reactivations.
CREATE TABLE mrr AS
SELECT g AS account, g % 7 AS segment,
       CASE WHEN h % 5 = 0 THEN 0 ELSE round((abs(hashint4(g * 3)) % 500000) / 100.0, 2) END::numeric(12, 2) AS prev,
       CASE WHEN h % 6 = 0 THEN 0
            WHEN h % 4 = 0 THEN round((abs(hashint4(g * 3)) % 500000) / 100.0, 2)
            ELSE round((abs(hashint4(g * 11)) % 600000) / 100.0, 2) END::numeric(12, 2) AS cur,
       h % 3 = 0 AS paid_before
FROM generate_series(1, 20000) g, LATERAL (SELECT abs(hashint4(g)) AS h) x;

-- The bridge against the hand-written CASE sums, to the digit
CREATE VIEW hand_bridge AS
SELECT segment,
       sum(prev) FILTER (WHERE prev > 0) AS starting,
       coalesce(sum(cur) FILTER (WHERE prev = 0 AND cur > 0 AND NOT paid_before), 0) AS new,
       coalesce(sum(cur) FILTER (WHERE prev = 0 AND cur > 0 AND paid_before), 0) AS reactivation,
       coalesce(sum(cur - prev) FILTER (WHERE prev > 0 AND cur > prev), 0) AS expansion,
       coalesce(sum(prev - cur) FILTER (WHERE cur > 0 AND cur < prev), 0) AS contraction,
       coalesce(sum(prev) FILTER (WHERE prev > 0 AND cur = 0), 0) AS churn,
       sum(cur) AS ending,
       count(*) FILTER (WHERE prev > 0) AS starting_accounts,
       count(*) FILTER (WHERE prev = 0 AND cur > 0 AND NOT paid_before) AS new_accounts,
       count(*) FILTER (WHERE prev = 0 AND cur > 0 AND paid_before) AS reactivated_accounts,
       count(*) FILTER (WHERE prev > 0 AND cur > prev) AS expanded_accounts,
       count(*) FILTER (WHERE cur > 0 AND cur < prev) AS contracted_accounts,
       count(*) FILTER (WHERE prev > 0 AND cur = 0) AS churned_accounts,
       count(*) FILTER (WHERE prev > 0 AND cur = prev) AS flat_accounts,
       count(*) FILTER (WHERE cur > 0) AS ending_accounts,
       sum(cur) FILTER (WHERE prev > 0) / sum(prev) FILTER (WHERE prev > 0) AS nrr,
       sum(least(prev, cur)) FILTER (WHERE prev > 0) / sum(prev) FILTER (WHERE prev > 0) AS grr
FROM mrr GROUP BY segment;

SELECT h.segment, (b).starting, (b).ending,
       (b).starting = h.starting AND (b).new = h.new AND (b).reactivation = h.reactivation
         AND (b).expansion = h.expansion AND (b).contraction = h.contraction
         AND (b).churn = h.churn AND (b).ending = h.ending AS amounts_equal_sql,
       (b).starting_accounts = h.starting_accounts AND (b).new_accounts = h.new_accounts
         AND (b).reactivated_accounts = h.reactivated_accounts AND (b).expanded_accounts = h.expanded_accounts
         AND (b).contracted_accounts = h.contracted_accounts AND (b).churned_accounts = h.churned_accounts
         AND (b).flat_accounts = h.flat_accounts AND (b).ending_accounts = h.ending_accounts AS counts_equal_sql,
       (b).starting + (b).new + (b).reactivation + (b).expansion - (b).contraction - (b).churn = (b).ending AS reconciles
FROM (SELECT segment, mrr_bridge(prev, cur, paid_before) AS b FROM mrr GROUP BY segment) a
JOIN hand_bridge h USING (segment) ORDER BY segment;

-- NRR and GRR: the same digits as the hand-written division
SELECT h.segment, a.nrr, a.grr, a.nrr = h.nrr AND a.nrr::text = h.nrr::text AS nrr_equals_sql,
       a.grr = h.grr AND a.grr::text = h.grr::text AS grr_equals_sql, a.grr <= 1 AS grr_at_most_1
FROM (SELECT segment, nrr(prev, cur), grr(prev, cur) FROM mrr GROUP BY segment) a
JOIN hand_bridge h USING (segment) ORDER BY segment;

-- The state: accessors agree with the bridge
SELECT starting_mrr(s) = (mrr_bridge(s)).starting AS starting, ending_mrr(s) = (mrr_bridge(s)).ending AS ending,
       nrr(s) = (SELECT nrr(prev, cur) FROM mrr) AS nrr, grr(s) = (SELECT grr(prev, cur) FROM mrr) AS grr,
       quick_ratio(s) = (new_mrr(s) + reactivation_mrr(s) + expansion_mrr(s)) / (contraction_mrr(s) + churned_mrr(s)) AS quick_ratio,
       arr(s) = 12 * ending_mrr(s) AS arr, arpa(s) = ending_mrr(s) / ending_accounts(s) AS arpa,
       gross_revenue_churn(s) = 1 - grr(s) AS gross_churn, net_revenue_churn(s) = 1 - nrr(s) AS net_churn,
       starting_accounts(s) + new_accounts(s) + reactivated_accounts(s) - churned_accounts(s) = ending_accounts(s) AS accounts_reconcile,
       expanded_accounts(s) + contracted_accounts(s) + churned_accounts(s) + flat_accounts(s) = starting_accounts(s) AS cohort_partition
FROM (SELECT revenue_agg(prev, cur, paid_before) AS s FROM mrr) x;

-- Edge cases: no rows, all NULL, no cohort, all churned, reactivations only, one row
SELECT mrr_bridge(prev, cur) IS NULL AS empty_bridge, nrr(prev, cur) AS empty_nrr, revenue_agg(prev, cur) AS empty_state
FROM mrr WHERE false;
SELECT nrr(p, c) AS all_null_nrr, revenue_agg(p, c) AS all_null_state
FROM (VALUES (NULL::numeric, 1::numeric), (1, NULL)) v(p, c);
SELECT nrr(p, c) AS no_cohort_nrr, grr(p, c) AS no_cohort_grr, (mrr_bridge(p, c)).*
FROM (VALUES (0::numeric, 10::numeric), (0, 0)) v(p, c);
SELECT nrr(p, c) AS all_churned_nrr, grr(p, c) AS all_churned_grr, (mrr_bridge(p, c)).ending
FROM (VALUES (10::numeric, 0::numeric), (20.5, 0)) v(p, c);
SELECT (mrr_bridge(p, c, true)).reactivation, (mrr_bridge(p, c, true)).reactivated_accounts, nrr(p, c)
FROM (VALUES (0::numeric, 10::numeric), (0, 7.25)) v(p, c);
SELECT revenue_agg(99.99, 120) AS one_row;

-- Exact at any scale: 0.1 next to 0.0001 keeps every digit, as sum() does
SELECT (mrr_bridge(p, c)).starting, (mrr_bridge(p, c)).ending, sum(c) AS sum_ending,
       (mrr_bridge(p, c)).ending = sum(c) AS equals_sum
FROM (VALUES (0.1, 0.0001), (0.0001, 0.1), (3, 3.00000), (12345.6789, 0)) v(p, c);
-- 1e15 with 4 decimals, 20,000 times
SELECT (mrr_bridge(p, c)).ending = sum(c) AS huge_equals_sum, sum(c)
FROM (SELECT 999999999999999.9999::numeric AS p, 1000000000000000.0001 + g AS c
      FROM generate_series(1, 20000) g) v;
-- past 128 bits: 1e30 at scale 10 is 10^40 units; sums stay exact
SELECT (mrr_bridge(p, c)).ending = sum(c) AS wide_equals_sum, (mrr_bridge(p, c)).expansion,
       nrr(p, c) = sum(c) / sum(p) AS wide_nrr_equals_sql
FROM (SELECT 1e30 + g * 1e-10 AS p, 2e30 + g AS c FROM generate_series(1, 1000) g) v;
SELECT expansion_mrr(s) = 1e-300 AS wide_expansion_exact, starting_mrr(s) = 1e300 AS wide_starting_exact,
       pg_column_size(s) AS wide_datum_bytes, s::text::revenue_state::text = s::text AS wide_text_round_trip
FROM (SELECT revenue_agg(1e300, 1e300 + 1e-300) AS s) x;
SELECT sqlstate_of('SELECT revenue_agg(1e1000, 1e-1000)') AS past_4096_bits;

-- Text and binary forms: exact decimals, round trips, golden text
SELECT revenue_agg(p, c, pb) FROM (VALUES (100.00, 120.5, false), (50, 0, false), (0, 30.125, false),
                                          (0, 12, true), (80, 60, false), (70, 70, false)) v(p, c, pb);
-- golden forms: the binary form (version, flags, seven big-endian counts, the
-- money word: scale 3, width 2 words, then each amount's two words, least
-- significant first) and the stored datum (native, here little-endian)
SELECT revenue_state_send(revenue_agg(p, c, pb)) AS sent
FROM (VALUES (100.00, 120.5, false), (50, 0, false), (0, 30.125, false)) v(p, c, pb);
BEGIN;
CREATE CAST (revenue_state AS bytea) WITHOUT FUNCTION;
SELECT revenue_agg(p, c, pb)::bytea AS stored, pg_column_size(revenue_agg(p, c, pb)) AS datum_bytes
FROM (VALUES (100.00, 120.5, false), (50, 0, false), (0, 30.125, false)) v(p, c, pb);
ROLLBACK;

-- daily states: text and binary COPY round trips, wide states included
CREATE TABLE revenue_daily AS
SELECT account % 30 AS day, revenue_agg(prev, cur, paid_before) AS st FROM mrr GROUP BY 1
UNION ALL SELECT 100, revenue_agg(1e300, 1e300 + 1e-300);
\copy revenue_daily TO 'results/revenue_states.txt'
\copy revenue_daily TO 'results/revenue_states.bin' WITH (FORMAT binary)
CREATE TABLE revenue_text (LIKE revenue_daily);
CREATE TABLE revenue_bin (LIKE revenue_daily);
\copy revenue_text FROM 'results/revenue_states.txt'
\copy revenue_bin FROM 'results/revenue_states.bin' WITH (FORMAT binary)
SELECT count(*) AS days, bool_and(a.st::text = t.st::text) AS text_round_trip,
       bool_and(a.st::text = b.st::text) AS binary_round_trip,
       bool_and(revenue_state_send(a.st) = revenue_state_send(b.st)) AS same_bytes
FROM revenue_daily a JOIN revenue_text t USING (day) JOIN revenue_bin b USING (day);

-- rollup of daily states = the direct computation; a sliding window of
-- states (inverse: subtract) = recomputing each frame
SELECT (SELECT rollup(st) FROM revenue_daily WHERE day < 30)::text
       = (SELECT revenue_agg(prev, cur, paid_before) FROM mrr)::text AS rollup_equals_direct;
SELECT bool_and(w::text = r::text) AS window_equals_recompute, count(*) AS frames
FROM (SELECT day, rollup(st) OVER (ORDER BY day ROWS 6 PRECEDING) AS w FROM revenue_daily WHERE day < 30) a
JOIN LATERAL (SELECT rollup(st) AS r FROM revenue_daily d WHERE d.day BETWEEN a.day - 6 AND a.day) b ON true;
-- the raw aggregate's inverse: a moving frame over accounts
SELECT bool_and(w::text = r::text) AS moving_equals_recompute
FROM (SELECT account, revenue_agg(prev, cur, paid_before) OVER (ORDER BY account ROWS 50 PRECEDING) AS w
      FROM mrr WHERE account <= 400) a
JOIN LATERAL (SELECT revenue_agg(prev, cur, paid_before) AS r FROM mrr m
              WHERE m.account BETWEEN a.account - 50 AND a.account) b ON true;

-- parallel = serial = partitionwise, to the digit
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT (SELECT revenue_agg(prev, cur, paid_before) FROM mrr)::text AS parallel_state \gset
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT revenue_agg(prev, cur, paid_before) FROM mrr)::text = :'parallel_state' AS parallel_equals_serial;
RESET max_parallel_workers_per_gather;
CREATE TABLE mrr_parts (LIKE mrr) PARTITION BY HASH (account);
CREATE TABLE mrr_p0 PARTITION OF mrr_parts FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE mrr_p1 PARTITION OF mrr_parts FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE mrr_p2 PARTITION OF mrr_parts FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO mrr_parts SELECT * FROM mrr;
ANALYZE mrr_parts;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT revenue_agg(prev, cur, paid_before) FROM mrr_parts;
SELECT (SELECT revenue_agg(prev, cur, paid_before) FROM mrr_parts)::text = :'parallel_state' AS partitionwise_equals_serial,
       (SELECT nrr(prev, cur) FROM mrr_parts) = (SELECT nrr(prev, cur) FROM mrr) AS partitionwise_nrr;
RESET enable_partitionwise_aggregate;

-- revenue scalars: the founding documents' net revenue churn, CLV, CAC payback
SELECT revenue_churn(1200, 400, 20000) AS net_revenue_churn, revenue_churn(0, 500, 10000) AS negative_churn,
       revenue_churn(1, 1, 0) AS no_start;
SELECT clv(100, 0.8, 0.02) AS simple_clv, clv(100, 0.8, 0.02, 0.01) AS discounted_clv,
       clv(100, 0.8, 0.02, 0) = 100 * 0.8 * 0.98 / 0.02 AS discount_0_formula,
       clv(100, 0.8, 0) AS never_churns, clv(100, 0.8, 0, 0) AS never_churns_undiscounted,
       cac_payback_months(1200, 100, 0.8) AS payback, cac_payback_months(1200, 0, 0.8) AS no_margin;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT clv(100, 1.5, 0.02)',
  'SELECT clv(100, 0.8, -0.1)',
  'SELECT clv(-5, 0.8, 0.1)',
  'SELECT clv(100, 0.8, 0.1, -0.01)',
  'SELECT clv(''NaN'', 0.8, 0.1)',
  'SELECT cac_payback_months(1200, 100, ''Infinity'')',
  'SELECT revenue_churn(-1, 0, 10)'
]) q;

-- bad input: negative, NaN and infinite money are 22003 naming the value
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT revenue_agg(-0.01, 5)',
  'SELECT nrr(5, -1)',
  'SELECT mrr_bridge(''NaN'', 5)',
  'SELECT grr(5, ''-Infinity'')',
  'SELECT revenue_agg(1, ''Infinity'', true)'
]) q;
-- malformed and inconsistent states
SELECT sqlstate_of(format('SELECT %L::revenue_state', t)) FROM unnest(ARRAY[
  'v2 starting_accounts=1',
  'v2 starting_accounts=1 new_accounts=0 reactivated_accounts=0 expanded_accounts=0 contracted_accounts=0 churned_accounts=0 flat_accounts=1 starting=5. new=0 reactivation=0 expansion=0 contraction=0 churn=0',
  'v2 starting_accounts=1 new_accounts=0 reactivated_accounts=0 expanded_accounts=0 contracted_accounts=0 churned_accounts=0 flat_accounts=1 starting=5e2 new=0 reactivation=0 expansion=0 contraction=0 churn=0',
  'v2 starting_accounts=1 new_accounts=0 reactivated_accounts=0 expanded_accounts=0 contracted_accounts=0 churned_accounts=0 flat_accounts=1 starting=-5 new=0 reactivation=0 expansion=0 contraction=0 churn=0',
  'v2 starting_accounts=0 new_accounts=0 reactivated_accounts=0 expanded_accounts=0 contracted_accounts=0 churned_accounts=0 flat_accounts=0 starting=5 new=0 reactivation=0 expansion=0 contraction=0 churn=0',
  'v2 starting_accounts=1 new_accounts=0 reactivated_accounts=0 expanded_accounts=0 contracted_accounts=0 churned_accounts=1 flat_accounts=0 starting=5 new=0 reactivation=0 expansion=0 contraction=0 churn=6',
  'v2 starting_accounts=1 new_accounts=0 reactivated_accounts=0 expanded_accounts=1 contracted_accounts=0 churned_accounts=1 flat_accounts=0 starting=5 new=0 reactivation=0 expansion=1 contraction=0 churn=5',
  'v3 starting_accounts=0'
]) t;
SELECT sqlstate_of($$SELECT rollup(s) FROM (VALUES ('v2 starting_accounts=0 new_accounts=0 reactivated_accounts=0 expanded_accounts=0 contracted_accounts=0 churned_accounts=0 flat_accounts=0 starting=0 new=0 reactivation=0 expansion=0 contraction=0 churn=0'::revenue_state)) v(s)$$) AS empty_rollup_ok;

--
-- The MRR timeline: mrr_schedule over subscription periods, mrr_months
--
SELECT mrr_schedule(s, e, a) FROM (VALUES ('2024-01-15'::date, '2024-06-01'::date, 100.00),
                                          ('2024-03-01', NULL, 20.5), ('2024-09-10', '2025-01-01', 50)) v(s, e, a);
-- a period that holds no first day of a month pays no month
SELECT mrr_schedule(date '2024-01-02', date '2024-01-31', 10) AS no_month,
       mrr_schedule(date '2024-01-01', date '2024-01-02', 10) AS one_month;
SELECT * FROM mrr_months((SELECT mrr_schedule(s, e, a)
                          FROM (VALUES ('2024-01-15'::date, '2024-06-01'::date, 100.00), ('2024-03-01', '2024-07-01', 20.5),
                                       ('2024-09-10', '2025-01-01', 50)) v(s, e, a)), '2025-06-30');
-- open-ended: through the month of "through"; a schedule read before it starts has no months
SELECT count(*) AS months, max(month) AS last FROM mrr_months((SELECT mrr_schedule(date '2024-01-01', NULL, 99.5)), '2024-12-31');
SELECT count(*) AS months FROM mrr_months('v2 rows=[300:5]'::mrr_schedule, '2024-12-31');
SELECT mrr_at('v2 rows=[288:100.00,290:-40.00,293:-60.00]', d) FROM unnest(ARRAY[date '2023-12-31', '2024-01-31', '2024-03-15', '2024-06-01']) d;

-- Generated periods with gaps, overlaps, mid-month starts and ends,
-- open-ended periods and returns after churn, against a plain-SQL month spine
CREATE TABLE rev_periods AS
SELECT g AS id, 1 + abs(hashint4(g)) % 400 AS customer,
       date '2023-01-01' + abs(hashint4(g * 7)) % 1000 AS start_date,
       CASE WHEN g % 5 = 0 THEN NULL ELSE date '2023-01-01' + abs(hashint4(g * 7)) % 1000 + abs(hashint4(g * 13)) % 500 END AS end_date,
       (CASE WHEN g % 3 = 0 THEN (abs(hashint4(g * 17)) % 100000) / 100.0 ELSE abs(hashint4(g * 17)) % 900 END)::numeric AS amount
FROM generate_series(1, 1200) g;
CREATE TABLE rev_spine AS
WITH months AS (
  SELECT c.customer, m::date AS month,
         coalesce((SELECT sum(p.amount) FROM rev_periods p
                   WHERE p.customer = c.customer AND p.start_date <= m AND (p.end_date IS NULL OR p.end_date > m)), 0) AS mrr
  FROM (SELECT DISTINCT customer FROM rev_periods) c, generate_series(date '2022-12-01', date '2026-06-01', interval '1 month') m
), bounds AS (
  SELECT customer, min(month) FILTER (WHERE mrr > 0) AS first, max(month) FILTER (WHERE mrr > 0) AS last_paying
  FROM months GROUP BY customer
)
SELECT m.customer, m.month, m.mrr, lag(m.mrr, 1, 0::numeric) OVER w AS previous_mrr,
       coalesce(bool_or(m.mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS paid_before
FROM months m JOIN bounds b USING (customer)
WHERE m.month >= b.first AND m.month <= least(b.last_paying + interval '1 month', date '2025-12-01')
WINDOW w AS (PARTITION BY m.customer ORDER BY m.month);
ALTER TABLE rev_spine ADD COLUMN movement text;
UPDATE rev_spine SET movement = CASE WHEN previous_mrr = 0 AND mrr > 0 AND NOT paid_before THEN 'new'
                                 WHEN previous_mrr = 0 AND mrr > 0 THEN 'reactivation'
                                 WHEN previous_mrr > 0 AND mrr = 0 THEN 'churn'
                                 WHEN mrr > previous_mrr THEN 'expansion'
                                 WHEN mrr < previous_mrr THEN 'contraction'
                                 ELSE 'flat' END;
CREATE TABLE rev_schedules AS SELECT customer, mrr_schedule(start_date, end_date, amount) AS s FROM rev_periods GROUP BY customer;
CREATE TABLE rev_timeline AS
SELECT customer, m.month, m.mrr, m.previous_mrr, m.movement::text AS movement, m.paid_before
FROM rev_schedules CROSS JOIN LATERAL mrr_months(s, '2025-12-31') m;
SELECT (SELECT count(*) FROM rev_spine) AS spine_months, (SELECT count(*) FROM rev_timeline) AS abm_months,
       (SELECT count(*) FROM (SELECT customer, month, mrr, previous_mrr, movement, paid_before FROM rev_spine
                              EXCEPT SELECT customer, month, mrr, previous_mrr, movement, paid_before FROM rev_timeline) x) AS missing,
       (SELECT count(*) FROM (SELECT customer, month, mrr, previous_mrr, movement, paid_before FROM rev_timeline
                              EXCEPT SELECT customer, month, mrr, previous_mrr, movement, paid_before FROM rev_spine) x) AS extra,
       (SELECT count(*) FROM rev_timeline WHERE movement = 'reactivation') > 0 AS has_reactivations,
       (SELECT count(*) FROM rev_timeline WHERE movement = 'contraction') > 0 AS has_contractions;

-- rev_periods from two billing systems: per-system schedules rolled up = one
-- schedule of all periods; parallel and serial agree
SELECT bool_and(r.s::text = a.s::text) AS rollup_equals_direct, count(*) AS customers
FROM (SELECT customer, rollup(s) AS s
      FROM (SELECT customer, id % 2 AS system, mrr_schedule(start_date, end_date, amount) AS s
            FROM rev_periods GROUP BY 1, 2) x GROUP BY customer) r
JOIN rev_schedules a USING (customer);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT rollup(s)::text = (SELECT mrr_schedule(start_date, end_date, amount) FROM rev_periods)::text AS parallel_equals_serial
FROM rev_schedules;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
-- the inverse: a sliding frame of periods = recomputing it
SELECT bool_and(w::text = r::text) AS moving_equals_recompute
FROM (SELECT id, mrr_schedule(start_date, end_date, amount) OVER (ORDER BY id ROWS 20 PRECEDING) AS w
      FROM rev_periods WHERE id <= 300) a
JOIN LATERAL (SELECT mrr_schedule(start_date, end_date, amount) AS r FROM rev_periods p
              WHERE p.id BETWEEN a.id - 20 AND a.id) b ON true;
-- exact amounts past 128 bits in a schedule
SELECT mrr_at(mrr_schedule(s, e, a), date '2024-03-01') = 1e30 + 1e-20 AS wide_exact
FROM (VALUES (date '2024-01-01', NULL::date, 1e30), ('2024-02-01', NULL, 1e-20)) v(s, e, a);

-- bad rev_periods and amounts
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT mrr_schedule(date ''2024-05-01'', date ''2024-04-30'', 10)',
  'SELECT mrr_schedule(date ''2024-05-01'', NULL, -10)',
  'SELECT mrr_schedule(date ''2024-05-01'', NULL, ''NaN'')',
  'SELECT mrr_schedule(date ''-infinity'', NULL, 10)',
  'SELECT mrr_schedule(date ''2024-05-01'', date ''-infinity'', 10)',
  'SELECT count(*) FROM mrr_months(''v2 rows=[288:5]'', ''infinity'')',
  'SELECT ''v2 rows=[288:5,289:-6]''::mrr_schedule',
  'SELECT ''v2 rows=[289:5,288:-5]''::mrr_schedule',
  'SELECT ''v2 rows=[288:5,290:0.00]''::mrr_schedule',
  'SELECT ''v2 rows=[288:5e3]''::mrr_schedule',
  'SELECT ''v2 rows=[9223372036854775807:5]''::mrr_schedule',
  'SELECT ''v2 period_months=3 through=70474776 rows=[]''::cohort_state'
]) q;
SELECT mrr_schedule(date '2024-05-01', date 'infinity', 10) AS infinity_is_open_ended;

--
-- Cohort retention on the rev_timeline, against plain SQL
--
CREATE TABLE cohort_ref AS
WITH firsts AS (SELECT customer, min(month) AS first FROM rev_timeline WHERE mrr > 0 GROUP BY customer),
     starts AS (SELECT f.customer, f.first, date_trunc('quarter', f.first)::date AS cohort, t.mrr AS starting
                FROM firsts f JOIN rev_timeline t ON t.customer = f.customer AND t.month = f.first),
     periods_after AS (
       SELECT s.*, k, (s.cohort + make_interval(months => 3 * k + 2))::date AS at_month
       FROM starts s, generate_series(0, 40) k
       WHERE (s.cohort + make_interval(months => 3 * k + 2))::date <= date '2025-12-01')
SELECT p.cohort, p.k, count(*) AS customers,
       count(*) FILTER (WHERE coalesce(t.mrr, 0) > 0) AS retained,
       sum(p.starting) AS starting_mrr, sum(coalesce(t.mrr, 0)) AS mrr
FROM periods_after p LEFT JOIN rev_timeline t ON t.customer = p.customer AND t.month = p.at_month
GROUP BY p.cohort, p.k;
CREATE TABLE cohort_abm AS
SELECT * FROM cohort_retention((SELECT cohort_agg(s, date '2025-12-31', 'quarter') FROM rev_schedules));
SELECT count(*) AS cells,
       count(*) FILTER (WHERE a.customers = r.customers AND a.retained_customers = r.retained
                          AND a.starting_mrr = r.starting_mrr AND a.mrr = r.mrr
                          AND a.logo_retention = r.retained::numeric / r.customers
                          AND a.revenue_retention = r.mrr / r.starting_mrr) AS equal_sql
FROM cohort_ref r FULL JOIN cohort_abm a ON a.cohort = r.cohort AND a.period_offset = r.k
WHERE a.cohort IS NOT NULL OR r.cohort IS NOT NULL;
-- the all-cohorts rows: sums over the cohorts followed that long
SELECT count(*) AS periods,
       count(*) FILTER (WHERE a.customers = r.customers AND a.retained_customers = r.retained
                          AND a.starting_mrr = r.starting_mrr AND a.mrr = r.mrr) AS equal_sql
FROM (SELECT k, sum(customers) AS customers, sum(retained) AS retained, sum(starting_mrr) AS starting_mrr, sum(mrr) AS mrr
      FROM cohort_ref GROUP BY k) r
JOIN cohort_abm a ON a.cohort IS NULL AND a.period_offset = r.k;
SELECT cohort, period_offset, customers, retained_customers, round(logo_retention, 4) AS logo,
       round(revenue_retention, 4) AS revenue
FROM cohort_abm WHERE cohort IS NULL ORDER BY period_offset LIMIT 4;
-- monthly cohorts, per-segment states rolled up, parallel
SELECT (SELECT rollup(st) FROM (SELECT customer % 3, cohort_agg(s, date '2025-12-31', 'month') AS st
                                FROM rev_schedules GROUP BY 1) x)::text
     = (SELECT cohort_agg(s, date '2025-12-31', 'month') FROM rev_schedules)::text AS rollup_equals_direct;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT cohort_agg(s, date ''2025-12-31'', ''week'') FROM rev_schedules',
  'SELECT cohort_agg(s, NULL, ''month'') FROM rev_schedules',
  'SELECT cohort_agg(s, date ''2025-12-31'', CASE WHEN customer % 2 = 0 THEN ''month'' ELSE ''quarter'' END) FROM rev_schedules',
  'SELECT rollup(st) FROM (VALUES (''v2 period_months=1 through=310 rows=[]''::cohort_state), (''v2 period_months=3 through=310 rows=[]'')) v(st)',
  'SELECT ''v2 period_months=2 through=310 rows=[]''::cohort_state',
  'SELECT ''v2 period_months=1 through=310 rows=[1269760:1:2:5:5]''::cohort_state',
  'SELECT ''v2 period_months=1 through=300 rows=[1269760:1:1:5:5]''::cohort_state'
]) q;
