-- test/bench/answers.sql: the survey data of the NPS benchmarks (psql \i,
-- with :rows and :groups set).  NPS 0..10 skewed high (20% detractors, 28%
-- passives, 52% promoters: NPS 32); CSAT 1..5 (73% satisfied); width_bucket
-- gives the index of the bucket.  account_states holds one nps_state per
-- account and part, for rollup().
SELECT setseed(0.42) \g /dev/null
CREATE TABLE answers AS
SELECT 1 + floor(random() * :groups)::int AS account_id,
       width_bucket(random(), '{.03,.04,.05,.07,.09,.14,.20,.30,.48,.70}'::float8[]) AS score,
       1 + width_bucket(random(), '{.05,.12,.27,.62}'::float8[]) AS csat_score,
       floor(random() * 5)::int AS part
FROM generate_series(1, :rows);
CREATE TABLE account_states AS
SELECT account_id, part, nps_agg(score) AS st, count(*)::int AS n FROM answers GROUP BY 1, 2;
VACUUM ANALYZE answers;
VACUUM ANALYZE account_states;
