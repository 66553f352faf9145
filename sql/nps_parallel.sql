--
-- Parallel query and partitionwise aggregation: partial states travel as
-- values of the state type, are combined and finalized; results equal the
-- serial plan's.
--
\pset null '(null)'

CREATE TABLE par_answers AS
SELECT g AS id, g % 1000 AS account_id,
       CASE WHEN g % 17 = 0 THEN NULL ELSE abs(hashint4(g * 31)) % 11 END AS score
FROM generate_series(1, 200000) g;
ANALYZE par_answers;

CREATE TEMP TABLE serial AS
SELECT nps(score) AS nps, nps_margin(score) AS margin, nps_margin(score, 0.9) AS margin90,
       nps_agg(score)::text AS st, csat(1 + score % 5) AS csat
FROM par_answers;
CREATE TEMP TABLE serial_grouped AS
SELECT account_id % 7 AS g, nps(score) AS nps, nps_agg(score)::text AS st, csat(1 + score % 5) AS csat
FROM par_answers GROUP BY 1;
CREATE TEMP TABLE serial_rollup AS
SELECT rollup(st)::text AS st FROM (SELECT account_id, nps_agg(score) st FROM par_answers GROUP BY account_id) x;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 4;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT nps(score), nps_margin(score), nps_margin(score, 0.9), nps_agg(score), csat(1 + score % 5) FROM par_answers;
SELECT p.nps = s.nps AS nps_equal, p.margin = s.margin AS margin_equal, p.margin90 = s.margin90 AS margin90_equal,
       p.st = s.st AS state_equal, p.csat = s.csat AS csat_equal
FROM (SELECT nps(score) AS nps, nps_margin(score) AS margin, nps_margin(score, 0.9) AS margin90,
             nps_agg(score)::text AS st, csat(1 + score % 5) AS csat FROM par_answers) p, serial s;

-- a confidence that differs between workers' rows is still an error
SELECT nps_margin(score, CASE WHEN id < 100000 THEN 0.9 ELSE 0.95 END) FROM par_answers;

EXPLAIN (COSTS OFF)
SELECT account_id % 7, nps(score) FROM par_answers GROUP BY 1;
SELECT count(*) AS groups, bool_and(p.nps = s.nps AND p.st = s.st AND p.csat = s.csat) AS all_equal
FROM (SELECT account_id % 7 AS g, nps(score) AS nps, nps_agg(score)::text AS st, csat(1 + score % 5) AS csat
      FROM par_answers GROUP BY 1) p JOIN serial_grouped s USING (g);

-- rollup of stored states in parallel
CREATE TABLE account_states AS SELECT account_id, nps_agg(score) AS st FROM par_answers GROUP BY account_id;
ANALYZE account_states;
EXPLAIN (COSTS OFF) SELECT rollup(st) FROM account_states;
SELECT rollup(st)::text = (SELECT st FROM serial_rollup) AS rollup_equal FROM account_states;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- partitionwise aggregation combines partial states even without parallel query
CREATE TABLE answers_part (id int, account_id int, score int) PARTITION BY RANGE (id);
CREATE TABLE answers_part_1 PARTITION OF answers_part FOR VALUES FROM (MINVALUE) TO (50001);
CREATE TABLE answers_part_2 PARTITION OF answers_part FOR VALUES FROM (50001) TO (100001);
CREATE TABLE answers_part_3 PARTITION OF answers_part FOR VALUES FROM (100001) TO (150001);
CREATE TABLE answers_part_4 PARTITION OF answers_part FOR VALUES FROM (150001) TO (MAXVALUE);
INSERT INTO answers_part SELECT id, account_id, score FROM par_answers;
ANALYZE answers_part;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT account_id % 7 AS g, nps(score) FROM answers_part GROUP BY 1;
SELECT count(*) AS groups, bool_and(p.nps = s.nps AND p.st = s.st AND p.csat = s.csat) AS all_equal
FROM (SELECT account_id % 7 AS g, nps(score) AS nps, nps_agg(score)::text AS st, csat(1 + score % 5) AS csat
      FROM answers_part GROUP BY 1) p JOIN serial_grouped s USING (g);
-- grouped by the partition key: each partition finishes its own groups
EXPLAIN (COSTS OFF)
SELECT id / 50000 AS g, nps(score) FROM answers_part GROUP BY id;
SELECT nps(score) = (SELECT nps FROM serial) AS ungrouped_equal FROM answers_part;
RESET enable_partitionwise_aggregate;
RESET max_parallel_workers_per_gather;

-- a group of more than a million answers (past 2^20, where abm 1.1 moved a
-- state out of its packed form): serially, in the combine step of a
-- parallel plan, and in a sliding window of a million rows
CREATE TABLE big_group AS
SELECT g AS id, CASE WHEN g % 1000 = 0 THEN 3 ELSE 10 END AS score FROM generate_series(1, 1200000) g;
ANALYZE big_group;
SELECT nps_agg(score), round(nps(score)::numeric, 6) AS nps, csat(score / 2) AS csat, csat_agg(score / 2)
FROM big_group;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT nps_agg(score), round(nps(score)::numeric, 6) AS nps, csat_agg(score / 2)
FROM big_group;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SET work_mem = '256MB';  -- a frame of a million rows spills to disk at the default
SELECT w.id, w.n, w.n = d.n AS equals_direct
FROM (SELECT id, nps_agg(score) OVER (ORDER BY id ROWS 1100000 PRECEDING)::text AS n FROM big_group) w
CROSS JOIN LATERAL (SELECT nps_agg(score)::text AS n FROM big_group b WHERE b.id BETWEEN w.id - 1100000 AND w.id) d
WHERE w.id IN (1000000, 1100001, 1150000, 1200000)
ORDER BY w.id;
RESET work_mem;
