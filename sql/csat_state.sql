--
-- csat_state: the two-step form of CSAT, on the same state mechanism as nps_state
--
\pset null '(null)'

SELECT s, csat(s), satisfied(s), responses(s)
FROM (SELECT 'v1 satisfied=3 responses=4'::csat_state AS s) x;
SELECT csat_agg(score) FROM (VALUES (1), (4), (5), (3), (NULL)) v(score);
SELECT csat_agg(score) AS no_rows FROM (SELECT 1 AS score WHERE false) x;
SELECT csat('v1 satisfied=0 responses=0'::csat_state) AS empty_state;

-- golden forms
SELECT csat_state_send('v1 satisfied=3 responses=4');
SELECT csat_agg(s)::text, csat_state_send(csat_agg(s)) FROM generate_series(1, 5) s;

-- malformed and out-of-range text
SELECT sqlstate_of(format('SELECT %L::csat_state', t)) FROM unnest(ARRAY[
  'v1 satisfied=3', 'v1 responses=4 satisfied=3', 'v3 satisfied=3 responses=4', 'v2 satisfied=3 responses=4 confidence=0.9',
  'v1 satisfied=3 responses=4 x', 'v1 detractors=3 passives=5 promoters=12',
  'v1 satisfied=-1 responses=4', 'v1 satisfied=5 responses=4',
  'v1 satisfied=1 responses=99999999999999999999']) t;

-- daily states roll up to months = direct computation, by group
CREATE TABLE tickets AS
SELECT g AS id, g % 6 AS team, date '2025-01-01' + (g % 180) AS answered_on,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + abs(hashint4(g * 3)) % 5 END AS score
FROM generate_series(1, 30000) g;
CREATE MATERIALIZED VIEW csat_daily AS
SELECT answered_on, team, csat_agg(score) AS st FROM tickets GROUP BY 1, 2;
SELECT count(*) AS groups,
       bool_and(csat(r.st) = d.csat) AS csat_equal,
       bool_and(r.st::text = d.st::text) AS state_equal,
       bool_and(responses(r.st) = d.n) AS count_equal
FROM (SELECT date_trunc('month', answered_on) AS month, team, rollup(st) AS st FROM csat_daily GROUP BY 1, 2) r
JOIN (SELECT date_trunc('month', answered_on) AS month, team, csat(score), csat_agg(score) AS st, count(score) AS n
      FROM tickets GROUP BY 1, 2) d USING (month, team);

-- the same in parallel
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT csat_agg(score) FROM tickets;
SELECT csat_agg(score)::text = (SELECT rollup(st)::text FROM csat_daily) AS parallel_equal FROM tickets;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- sliding window of states
CREATE TABLE tickets_head AS SELECT * FROM tickets WHERE id <= 2000;
SELECT count(*) AS frames, bool_and(w.st::text IS NOT DISTINCT FROM r.st::text) AS window_equal
FROM (SELECT id, csat_agg(score) OVER (ORDER BY id ROWS 49 PRECEDING) AS st FROM tickets_head) w
JOIN LATERAL (SELECT csat_agg(score) AS st FROM tickets_head t WHERE t.id BETWEEN w.id - 49 AND w.id) r ON true;

-- trailing 30 days of daily states, per team = the raw tickets of those days
SELECT count(*) AS frames, bool_and(w.st::text = r.st::text) AS window_equal
FROM (SELECT answered_on, team, rollup(st) OVER (PARTITION BY team ORDER BY answered_on
                                                 RANGE BETWEEN '29 days' PRECEDING AND CURRENT ROW) AS st
      FROM csat_daily) w
JOIN LATERAL (SELECT csat_agg(score) AS st FROM tickets t
              WHERE t.team = w.team AND t.answered_on BETWEEN w.answered_on - 29 AND w.answered_on) r ON true;

-- merging past 2^63 - 1 is an error
SELECT rollup(s) FROM (VALUES ('v1 satisfied=0 responses=9223372036854775807'::csat_state),
                              ('v1 satisfied=0 responses=1')) v(s);
