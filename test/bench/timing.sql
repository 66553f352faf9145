-- test/bench/timing.sql: the timing harness of the benchmarks (psql \i from
-- the repository root).  Expects a table query(id int, sql text, ...).
-- pg_temp.bench_one(id, round) runs one query under EXPLAIN (ANALYZE,
-- TIMING OFF), no rows reaching the client, and keeps its "Execution Time"
-- and plan in timing; round 0 is a warm-up and is not kept.
CREATE TEMP TABLE timing (id int, round int, ms float8, plan json);
CREATE FUNCTION pg_temp.bench_one(qid int, rnd int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE p json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || (SELECT sql FROM query WHERE id = qid) INTO p;
	IF rnd > 0 THEN
		INSERT INTO timing VALUES (qid, rnd, (p -> 0 ->> 'Execution Time')::float8, p);
	END IF;
END $$;
