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
