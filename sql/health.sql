--
-- Account health: account_health and its explanation, health_band,
-- value_at_risk, account_nps and match_advocates
--
\pset null '(null)'
SELECT setseed(0.17);

-- Random accounts: every signal in its range, about 1 in 6 missing.
CREATE TEMP TABLE sig AS
SELECT i AS id,
       CASE WHEN random() < 1.0/6 THEN NULL ELSE round(random()::numeric, 3)::float8 END AS usage,
       CASE WHEN random() < 1.0/6 THEN NULL ELSE round((random() * 200 - 100)::numeric, 1)::float8 END AS nps,
       CASE WHEN random() < 1.0/6 THEN NULL ELSE round((random() * 100)::numeric, 1)::float8 END AS engagement,
       CASE WHEN random() < 1.0/6 THEN NULL ELSE round((random() * 10)::numeric, 1)::float8 END AS relationship,
       CASE WHEN random() < 1.0/6 THEN NULL ELSE round((random() * 100)::numeric)::float8 END AS competitor_intent,
       CASE WHEN random() < 1.0/6 THEN NULL ELSE floor(random() * 30)::float8 END AS support_load,
       CASE WHEN random() < 1.0/6 THEN NULL ELSE floor(random() * 500)::float8 END AS days_to_renewal
FROM generate_series(1, 3000) i;
-- the edges: all missing, one signal, every signal at its worst and best
INSERT INTO sig VALUES
  (3001, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3002, 0.5, NULL, NULL, NULL, NULL, NULL, NULL),
  (3003, 0, -100, 0, 0, 100, 1e9, 0),
  (3004, 1, 100, 100, 10, 0, 0, 365),
  (3005, NULL, NULL, NULL, NULL, NULL, NULL, 10000);

-- The score written out by hand: the weighted mean of the levels of the
-- signals present, NULL when none is.
CREATE TEMP VIEW by_hand AS
SELECT id,
       100 * (coalesce(0.25 * usage, 0) + coalesce(0.20 * (nps + 100) / 200, 0)
              + coalesce(0.15 * engagement / 100, 0) + coalesce(0.15 * relationship / 10, 0)
              + coalesce(0.10 * (1 - competitor_intent / 100), 0) + coalesce(0.10 * 5 / (5 + support_load), 0)
              + coalesce(0.05 * CASE WHEN days_to_renewal > 365 THEN 365 ELSE days_to_renewal END / 365, 0))
       / nullif(CASE WHEN usage IS NULL THEN 0 ELSE 0.25 END + CASE WHEN nps IS NULL THEN 0 ELSE 0.20 END
                + CASE WHEN engagement IS NULL THEN 0 ELSE 0.15 END + CASE WHEN relationship IS NULL THEN 0 ELSE 0.15 END
                + CASE WHEN competitor_intent IS NULL THEN 0 ELSE 0.10 END
                + CASE WHEN support_load IS NULL THEN 0 ELSE 0.10 END
                + CASE WHEN days_to_renewal IS NULL THEN 0 ELSE 0.05 END, 0) AS score
FROM sig;

SELECT count(*) AS accounts,
       count(*) FILTER (WHERE h.score IS NULL) AS no_score,
       bool_and((h.score IS NULL) = (b.score IS NULL)) AS null_when_sql_is,
       max(abs(h.score - b.score)) < 1e-9 AS equals_sql,
       min(h.score) >= 0 AND max(h.score) <= 100 AS in_range
FROM (SELECT id, account_health(usage => usage, nps => nps, engagement => engagement,
                                relationship => relationship, competitor_intent => competitor_intent,
                                support_load => support_load, days_to_renewal => days_to_renewal) AS score
      FROM sig) h JOIN by_hand b USING (id);

-- the edges by themselves
SELECT id, account_health(usage => usage, nps => nps, engagement => engagement,
                          relationship => relationship, competitor_intent => competitor_intent,
                          support_load => support_load, days_to_renewal => days_to_renewal) AS score
FROM sig WHERE id > 3000 ORDER BY id;

-- renormalization: a missing signal drops out, the others keep their ratio
SELECT account_health(usage => 0.4) AS usage_only,
       account_health(usage => 0.4, nps => 20) AS two,
       100 * (0.25 * 0.4 + 0.20 * 0.6) / 0.45 AS two_by_hand,
       account_health(usage => 0.4, nps => 20, engagement => NULL) AS null_is_missing,
       account_health() AS nothing;

-- weights: relative, overridable per call; 0 ignores a signal
SELECT account_health(usage => 0.4, nps => 20, usage_weight => 3, nps_weight => 1) AS usage_3_to_1,
       100 * (3 * 0.4 + 0.6) / 4 AS by_hand,
       account_health(usage => 0.4, nps => 20, usage_weight => 30, nps_weight => 10) AS scaled_weights,
       account_health(usage => 0.4, nps => 20, nps_weight => 0) AS nps_ignored,
       account_health(usage => 0.4, usage_weight => 0) AS only_weight_zero;

-- monotone in every signal: raising a good signal (or lowering a bad one)
-- never lowers the score, on random accounts and random steps
WITH base AS (
  SELECT id, usage, nps, engagement, relationship, competitor_intent, support_load, days_to_renewal,
         random() AS step
  FROM sig WHERE id <= 3000
), moved AS (
  SELECT b.id, s.signal,
         account_health(usage => usage, nps => nps, engagement => engagement, relationship => relationship,
                        competitor_intent => competitor_intent, support_load => support_load,
                        days_to_renewal => days_to_renewal) AS before,
         account_health(usage => CASE WHEN s.signal = 'usage' THEN usage + (1 - usage) * step ELSE usage END,
                        nps => CASE WHEN s.signal = 'nps' THEN nps + (100 - nps) * step ELSE nps END,
                        engagement => CASE WHEN s.signal = 'engagement' THEN engagement + (100 - engagement) * step ELSE engagement END,
                        relationship => CASE WHEN s.signal = 'relationship' THEN relationship + (10 - relationship) * step ELSE relationship END,
                        competitor_intent => CASE WHEN s.signal = 'competitor_intent' THEN competitor_intent * (1 - step) ELSE competitor_intent END,
                        support_load => CASE WHEN s.signal = 'support_load' THEN support_load * (1 - step) ELSE support_load END,
                        days_to_renewal => CASE WHEN s.signal = 'days_to_renewal' THEN days_to_renewal + 400 * step ELSE days_to_renewal END) AS after
  FROM base b
  CROSS JOIN (VALUES ('usage'), ('nps'), ('engagement'), ('relationship'), ('competitor_intent'),
                     ('support_load'), ('days_to_renewal')) s(signal)
)
SELECT signal, count(*) FILTER (WHERE after < before) AS got_worse,
       count(*) FILTER (WHERE after > before) AS got_better
FROM moved GROUP BY signal ORDER BY signal;

-- the explanation: the points add up to the score; the weakest signal loses
-- the most points (100 x its weight share - its points)
SELECT * FROM account_health_detail(usage => 0.4, nps => -20, relationship => 6);
WITH d AS (
  SELECT s.id, d.*,
         account_health(usage => usage, nps => nps, engagement => engagement, relationship => relationship,
                        competitor_intent => competitor_intent, support_load => support_load,
                        days_to_renewal => days_to_renewal) AS plain
  FROM sig s, account_health_detail(usage => usage, nps => nps, engagement => engagement,
                                    relationship => relationship, competitor_intent => competitor_intent,
                                    support_load => support_load, days_to_renewal => days_to_renewal) d
), drags AS (
  SELECT b.id, x.signal, x.w * 100 / b.total - x.points AS drag, x.ord
  FROM (SELECT id, usage_points, nps_points, engagement_points, relationship_points, competitor_intent_points,
               support_load_points, days_to_renewal_points,
               CASE WHEN usage IS NULL THEN 0 ELSE 0.25 END + CASE WHEN nps IS NULL THEN 0 ELSE 0.20 END
               + CASE WHEN engagement IS NULL THEN 0 ELSE 0.15 END + CASE WHEN relationship IS NULL THEN 0 ELSE 0.15 END
               + CASE WHEN competitor_intent IS NULL THEN 0 ELSE 0.10 END + CASE WHEN support_load IS NULL THEN 0 ELSE 0.10 END
               + CASE WHEN days_to_renewal IS NULL THEN 0 ELSE 0.05 END AS total
        FROM d JOIN sig USING (id)) b
  CROSS JOIN LATERAL (VALUES (1, 'usage', 0.25, b.usage_points), (2, 'nps', 0.20, b.nps_points),
                             (3, 'engagement', 0.15, b.engagement_points), (4, 'relationship', 0.15, b.relationship_points),
                             (5, 'competitor_intent', 0.10, b.competitor_intent_points),
                             (6, 'support_load', 0.10, b.support_load_points),
                             (7, 'days_to_renewal', 0.05, b.days_to_renewal_points)) x(ord, signal, w, points)
  WHERE x.points IS NOT NULL
), worst AS (
  SELECT DISTINCT ON (id) id, signal, drag FROM drags WHERE drag > 1e-12 ORDER BY id, drag DESC, ord
)
SELECT count(*) AS accounts,
       bool_and(d.score IS NOT DISTINCT FROM d.plain) AS score_equals_account_health,
       max(abs(d.score - (coalesce(usage_points, 0) + coalesce(nps_points, 0) + coalesce(engagement_points, 0)
                          + coalesce(relationship_points, 0) + coalesce(competitor_intent_points, 0)
                          + coalesce(support_load_points, 0) + coalesce(days_to_renewal_points, 0)))) < 1e-9
         AS points_add_up,
       bool_and(d.weakest_signal IS NOT DISTINCT FROM w.signal) AS weakest_equals_sql,
       max(abs(d.weakest_drag - w.drag)) < 1e-9 AS drag_equals_sql,
       bool_and(d.band IS NOT DISTINCT FROM health_band(d.score)) AS band_is_health_band
FROM d LEFT JOIN worst w USING (id);

-- the best account loses nothing: no weakest signal
SELECT score, band, weakest_signal, weakest_drag
FROM account_health_detail(usage => 1, nps => 100, support_load => 0);
-- a tie names the earlier signal
SELECT weakest_signal, weakest_drag
FROM account_health_detail(usage => 0.5, nps => 0, usage_weight => 1, nps_weight => 1);

-- bands: default thresholds 50 and 75, overridable; the any-critical rule
-- (critical_signal_below: one condition signal whose level x 100 is below it)
SELECT s, health_band(s) AS default_band, health_band(s, 40, 70) AS custom_band
FROM unnest(ARRAY[0, 39.9, 40, 49.99, 50, 69.9, 70, 74.9, 75, 100]::float8[]) s;
SELECT 'critical'::health_band < 'at_risk' AND 'at_risk' < 'healthy'::health_band AS ordered,
       'Amber'::health_band AS alias, 'at risk'::health_band AS spaced, health_band_labels();
SELECT score, band AS compensatory,
       (account_health_detail(usage => 0.2, relationship => 9, engagement => 95, critical_signal_below => 25)).band AS any_critical
FROM account_health_detail(usage => 0.2, relationship => 9, engagement => 95);
-- days to renewal is timing, not a condition: it alone makes nothing critical
SELECT band FROM account_health_detail(usage => 0.9, days_to_renewal => 3, critical_signal_below => 25);
-- a signal weighted 0 does not count for the rule
SELECT band FROM account_health_detail(usage => 0.9, nps => -90, nps_weight => 0, critical_signal_below => 25);
-- a level exactly at the threshold is not below it
SELECT score, band FROM account_health_detail(usage => 0.25, nps => 100, relationship => 10, critical_signal_below => 25);
SELECT band FROM account_health_detail(usage => 0.25, nps => 100, relationship => 10, critical_signal_below => 25.01);
SELECT band FROM account_health_detail(usage => 0.6, at_risk_from => 30, healthy_from => 60);
SELECT * FROM account_health_detail(nps => NULL);

-- value at risk: clv x (100 - health) / 100 in numeric, at clv's scale
SELECT clv, health, value_at_risk(clv, health) AS var,
       value_at_risk(clv, health) = round(clv * (100 - health::numeric) / 100, scale(clv)) AS equals_numeric
FROM (VALUES (12345.67::numeric, 62.5::float8), (100.00, 0), (100.00, 100), (0.01, 50), (0.01, 49.9),
             (123456789012345678901234567890.1234, 33.3), (-500.5, 10), (7, 12.34)) v(clv, health);

-- errors: a clear message with its SQLSTATE
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT account_health(usage => 1.01)',
  'SELECT account_health(usage => -0.01)',
  'SELECT account_health(nps => 101)',
  'SELECT account_health(nps => ''NaN'')',
  'SELECT account_health(engagement => ''Infinity'')',
  'SELECT account_health(relationship => 10.5)',
  'SELECT account_health(competitor_intent => -1)',
  'SELECT account_health(support_load => -1)',
  'SELECT account_health(support_load => ''Infinity'')',
  'SELECT account_health(days_to_renewal => -1)',
  'SELECT account_health(usage => 0.5, usage_weight => -1)',
  'SELECT account_health(usage => 0.5, nps_weight => ''NaN'')',
  'SELECT account_health(usage => 0.5, usage_weight => NULL)',
  'SELECT account_health_detail(usage => 0.5, at_risk_from => 80, healthy_from => 70)',
  'SELECT account_health_detail(usage => 0.5, healthy_from => NULL)',
  'SELECT account_health_detail(usage => 0.5, critical_signal_below => 100.5)',
  'SELECT account_health_detail(usage => 0.5, critical_signal_below => ''NaN'')',
  'SELECT health_band(101)',
  'SELECT health_band(''NaN'')',
  'SELECT health_band(50, -1, 70)',
  'SELECT health_band(50, 60, 101)',
  'SELECT ''purple''::health_band',
  'SELECT value_at_risk(100, 100.5)',
  'SELECT value_at_risk(100, ''NaN'')'
]) q;

-- Account-level NPS: one vote per account, against plain SQL
CREATE TEMP TABLE answers AS
SELECT a AS account_id, (a % 7) AS segment, floor(random() * 11)::int AS score
FROM generate_series(1, 400) a, generate_series(1, 1 + (a % 5) * (a % 3)) k;
INSERT INTO answers SELECT 401, 1, NULL;   -- an account whose only answer was skipped
-- (a plain table: parallel workers do not scan temporary ones)
CREATE TABLE per_account AS
SELECT account_id, segment, nps_agg(score) AS st,
       (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))::float8
       / nullif(count(score), 0) AS vote
FROM answers GROUP BY account_id, segment;
SELECT segment, count(vote) AS accounts,
       abs(account_nps(st) - 100 * avg(vote)) < 1e-9 AS nps_equals_sql,
       abs(account_nps_margin(st) - 1.959963984540054 * 100 * sqrt(var_pop(vote) / count(vote))) < 1e-9
         AS margin_equals_sql,
       abs(account_nps_margin(st, 0.9) - 1.6448536269514722 * 100 * sqrt(var_pop(vote) / count(vote))) < 1e-9
         AS margin_90_equals_sql
FROM per_account GROUP BY ROLLUP (segment) ORDER BY segment;
-- one answer per account: the same as the answer-level NPS and margin
SELECT abs(account_nps(st) - nps(rollup(st))) < 1e-9 AS same_nps,
       abs(account_nps_margin(st) - nps_margin(rollup(st))) < 1e-9 AS same_margin
FROM (SELECT nps_agg(s) AS st FROM generate_series(1, 300) i, LATERAL (SELECT (i * 7) % 11 AS s) x GROUP BY i) y;
SELECT account_nps(st), account_nps_margin(st) FROM per_account WHERE false;
SELECT account_nps(st), account_nps_margin(st) FROM per_account WHERE account_id = 1;
-- parallel = serial, and states that travel as text merge the same
SELECT account_nps(st) AS serial_nps, account_nps_margin(st) AS serial_margin FROM per_account \gset
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT account_nps(st) FROM per_account;
SELECT abs(account_nps(st) - :serial_nps) < 1e-9 AS parallel_nps,
       abs(account_nps_margin(st) - :serial_margin) < 1e-9 AS parallel_margin
FROM per_account;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT abs(account_nps_final(account_nps_combine(
             account_nps_step(account_nps_step('{0,0,0,0}', 'v2 detractors=1 passives=0 promoters=0'),
                              'v2 detractors=0 passives=0 promoters=3'),
             account_nps_step('{0,0,0,0}', 'v2 detractors=1 passives=1 promoters=0'))) - 100 * (-1 + 1 - 0.5) / 3) < 1e-12
       AS combined_by_hand;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT account_nps_final(''{1,2,3}'')',
  'SELECT account_nps_final(''{1,2,3,NULL}'')',
  'SELECT account_nps_final(''{{1,0},{0,0}}'')',
  'SELECT account_nps_final(''{1,2,0,0}'')',
  'SELECT account_nps_final(''{1.5,0,0,0}'')',
  'SELECT account_nps_final(''{-1,0,0,0}'')',
  'SELECT account_nps_final(''{2,0,-1,0}'')',
  'SELECT account_nps_final(''{2,0,0,1.5}'')',
  'SELECT account_nps_final(''{NaN,0,0,0}'')',
  'SELECT account_nps_margin(st, 1.5) FROM per_account',
  'SELECT account_nps_margin(st, NULL) FROM per_account',
  'SELECT account_nps_margin(st, CASE WHEN account_id < 100 THEN 0.9 ELSE 0.95 END) FROM per_account',
  'SELECT account_nps_combine(''{1,1,0,0.9}'', ''{1,1,0,0.95}'')'
]) q;

-- Advocate matching, against the plain-SQL reference (a ranked join) on
-- random accounts with many ties, several caps, segments without advocates
CREATE TEMP TABLE accts AS
SELECT i AS account_id, 'seg' || (i % 9) AS segment,
       floor(random() * 100)::float8 AS health, round((random() * 5)::numeric, 0) * 1000 AS var,
       floor(random() * 4) AS strength
FROM generate_series(1, 2000) i;
UPDATE accts SET health = 10 WHERE segment = 'seg8';   -- no advocate there
CREATE TEMP VIEW matched AS
SELECT s.segment, m.account, m.advocate, m.advocate_rank, c.cap
FROM (VALUES (1), (2), (3), (50)) c(cap),
     LATERAL (SELECT segment,
                     array_agg(account_id ORDER BY var DESC, account_id) FILTER (WHERE health < 75) AS at_risk,
                     array_agg(account_id ORDER BY strength DESC, account_id) FILTER (WHERE health >= 75) AS advocates
              FROM accts GROUP BY segment) s,
     match_advocates(s.at_risk, s.advocates, c.cap) m;
CREATE TEMP VIEW reference AS
SELECT r.segment, r.account_id AS account, a.account_id AS advocate, a.rn AS advocate_rank, c.cap
FROM (VALUES (1), (2), (3), (50)) c(cap)
CROSS JOIN (SELECT *, row_number() OVER (PARTITION BY segment ORDER BY var DESC, account_id) AS rn
            FROM accts WHERE health < 75) r
LEFT JOIN LATERAL (SELECT account_id, rn
                   FROM (SELECT *, row_number() OVER (PARTITION BY segment ORDER BY strength DESC, account_id) AS rn
                         FROM accts WHERE health >= 75) a
                   WHERE a.segment = r.segment AND a.rn = (r.rn - 1) / c.cap + 1) a ON true;
SELECT (SELECT count(*) FROM matched) AS rows,
       (SELECT count(*) FROM (SELECT * FROM matched EXCEPT SELECT * FROM reference) x) AS not_in_reference,
       (SELECT count(*) FROM (SELECT * FROM reference EXCEPT SELECT * FROM matched) x) AS missing,
       (SELECT max(n) FROM (SELECT cap, advocate, count(*) - cap AS n FROM matched WHERE advocate IS NOT NULL
                            GROUP BY cap, advocate) x) AS most_over_cap,
       (SELECT count(*) FROM matched WHERE segment = 'seg8' AND advocate IS NULL) AS unmatched_without_advocates;
SELECT * FROM match_advocates(ARRAY['a', 'b', 'c'], ARRAY['x'], 2);
SELECT * FROM match_advocates(ARRAY[1, 2], NULL::int[], 1);
SELECT * FROM match_advocates(NULL::int[], ARRAY[1], 1);
SELECT * FROM match_advocates('{}'::int[], ARRAY[1]);
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT * FROM match_advocates(ARRAY[1, 2], ARRAY[3], 0)',
  'SELECT * FROM match_advocates(ARRAY[1, 2], ARRAY[3], NULL)',
  'SELECT * FROM match_advocates(ARRAY[1, NULL], ARRAY[3], 1)',
  'SELECT * FROM match_advocates(ARRAY[1, 2], ARRAY[3, NULL], 1)',
  'SELECT * FROM match_advocates(ARRAY[[1, 2], [3, 4]], ARRAY[3], 1)',
  'SELECT * FROM match_advocates(ARRAY[1, 2], ARRAY[''x''], 1)'
]) q;
DROP TABLE per_account;
