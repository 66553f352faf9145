--
-- lifecycle_stage: the one-byte ordered lifecycle type
--
\pset null '(null)'

-- canonical labels, in order, with phase and customer flag
SELECT s AS stage, lifecycle_phase(s), is_customer(s), pg_column_size(s)
FROM unnest('{churned,advocate,expanding,renewing,active,onboarding,opportunity,engaged,aware,target}'::lifecycle_stage[]) s
ORDER BY s;

-- aliases, case, blanks; output is always the canonical label
SELECT '发现'::lifecycle_stage AS discover_zh, 'Renewal'::lifecycle_stage > 'opportunity' AS renewal_after_opp,
       '  Closed Won '::lifecycle_stage AS closed_won, 'CROSS-SELL'::lifecycle_stage AS cross_sell,
       '流失'::lifecycle_stage AS churn_zh, 'tal'::lifecycle_stage AS tal;

-- bad input: 22P02, naming the value and listing the labels
SELECT 'prospect'::lifecycle_stage;
SELECT sqlstate_of(format('SELECT %L::lifecycle_stage', v))
FROM unnest(ARRAY['', '   ', 'targets', 'tar get', 'opportunity!', repeat('x', 100)]) v;

-- comparison operators
SELECT a, b, a = b AS eq, a <> b AS ne, a < b AS lt, a <= b AS le, a > b AS gt, a >= b AS ge
FROM (VALUES ('target'::lifecycle_stage, 'aware'::lifecycle_stage),
             ('renewing', 'renewing'), ('churned', 'advocate')) v(a, b);

-- casts to and from text
SELECT 'won'::text::lifecycle_stage AS from_text, ('engaged'::lifecycle_stage)::text || '!' AS to_text;
CREATE TEMP TABLE cast_target (s lifecycle_stage);
INSERT INTO cast_target SELECT 'expansion'::text;      -- assignment cast
SELECT * FROM cast_target;

-- the furthest stage each account reached
CREATE TABLE stage_history (account_id int, stage lifecycle_stage, entered_at date);
INSERT INTO stage_history VALUES
  (1, 'target', '2025-01-01'), (1, 'aware', '2025-02-01'), (1, 'engaged', '2025-03-01'),
  (2, 'target', '2025-01-05'), (2, 'opportunity', '2025-02-10'), (2, 'closed_won', '2025-04-01'), (2, 'active', '2025-05-01'),
  (3, 'target', '2025-01-09'), (3, '成交', '2025-03-01'), (3, 'churn', '2025-09-01'),
  (4, NULL, '2025-01-01');
SELECT account_id, max(stage) AS furthest, min(stage) AS first, count(stage)
FROM stage_history GROUP BY account_id ORDER BY account_id;
SELECT max(stage), min(stage) FROM stage_history WHERE false;

-- sorting, DISTINCT, GROUP BY (sort and hash), hash join
SELECT DISTINCT stage FROM stage_history ORDER BY stage DESC NULLS LAST;
SET enable_hashagg = off;
SELECT stage, count(*) FROM stage_history GROUP BY stage ORDER BY stage;
RESET enable_hashagg;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT stage, count(*) FROM stage_history GROUP BY stage;
SELECT stage, count(*) FROM stage_history GROUP BY stage ORDER BY stage;
RESET enable_sort;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM stage_history a JOIN stage_history b USING (stage);
SELECT count(*) FROM stage_history a JOIN stage_history b USING (stage);
RESET enable_mergejoin;
RESET enable_nestloop;

-- indexes: btree used for equality and range, hash for equality
CREATE TABLE accounts AS
SELECT g AS account_id,
       (ARRAY['target','aware','engaged','opportunity','onboarding','active','renewing','expanding','advocate','churned'])[1 + abs(hashint4(g)) % 10]::lifecycle_stage AS stage
FROM generate_series(1, 20000) g;
CREATE INDEX accounts_stage ON accounts (stage);
CREATE INDEX accounts_stage_hash ON accounts USING hash (stage);
ANALYZE accounts;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM accounts WHERE stage = 'renewing';
EXPLAIN (COSTS OFF) SELECT count(*) FROM accounts WHERE stage >= 'onboarding' AND stage < 'churned';
EXPLAIN (COSTS OFF) SELECT max(stage) FROM accounts;
DROP INDEX accounts_stage;
EXPLAIN (COSTS OFF) SELECT count(*) FROM accounts WHERE stage = 'renewing';
RESET enable_seqscan;
RESET enable_bitmapscan;
-- index answers equal the sequential scan
SELECT (SELECT count(*) FROM accounts WHERE stage = 'renewing') =
       (SELECT count(*) FROM accounts WHERE stage::text = 'renewing') AS same_count;
SELECT count(*) FILTER (WHERE is_customer(stage)) = count(*) FILTER (WHERE stage BETWEEN 'onboarding' AND 'advocate') AS customer_rule
FROM accounts;

-- hash partitioning uses the extended hash
CREATE TABLE by_stage (stage lifecycle_stage) PARTITION BY HASH (stage);
CREATE TABLE by_stage_0 PARTITION OF by_stage FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE by_stage_1 PARTITION OF by_stage FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO by_stage SELECT stage FROM accounts;
SELECT count(*) = 20000 AS all_routed, count(DISTINCT tableoid) AS partitions_used FROM by_stage;

-- binary COPY round trip (send and receive)
\copy (SELECT account_id, stage FROM accounts ORDER BY account_id) TO 'results/lifecycle_stage.bin' WITH (FORMAT binary)
CREATE TABLE accounts_back (account_id int, stage lifecycle_stage);
\copy accounts_back FROM 'results/lifecycle_stage.bin' WITH (FORMAT binary)
SELECT count(*) AS rows_back, bool_and(a.stage = b.stage) AS all_equal
FROM accounts a JOIN accounts_back b USING (account_id);

-- binary input rejects what text input rejects (a text column's binary form is its bytes)
CREATE TEMP TABLE raw_labels (label text);
INSERT INTO raw_labels VALUES ('renewal'), ('not-a-stage');
\copy raw_labels TO 'results/lifecycle_stage_bad.bin' WITH (FORMAT binary)
CREATE TEMP TABLE stages_in (stage lifecycle_stage);
\copy stages_in FROM 'results/lifecycle_stage_bad.bin' WITH (FORMAT binary)
SELECT count(*) FROM stages_in;

-- every label, in order, for funnel reports
SELECT lifecycle_stage_labels();
SELECT s, ordinality FROM unnest(lifecycle_stage_labels()) WITH ORDINALITY s WHERE s >= 'renewing';
