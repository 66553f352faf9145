--
-- nps_state: the two-step form; text and binary forms; rollup
--
\pset null '(null)'

-- text form, accessors
SELECT s, nps(s), round(nps_margin(s)::numeric, 9) AS margin, promoters(s), passives(s), detractors(s), responses(s)
FROM (SELECT 'v1 detractors=3 passives=5 promoters=12'::nps_state AS s) x;
SELECT nps_agg(score) FROM (VALUES (0), (6), (7), (9), (10), (NULL)) v(score);
SELECT nps_agg(score) AS no_rows FROM (SELECT 1 AS score WHERE false) x;
SELECT nps('v1 detractors=0 passives=0 promoters=0'::nps_state) AS empty_state_nps,
       nps_margin('v1 detractors=0 passives=0 promoters=1'::nps_state) AS one_answer_margin;

-- golden forms: these bytes are what states hold and send; a change here breaks them
-- binary form, version 2: version, flags, [confidence], three big-endian counts
SELECT nps_state_send('v1 detractors=3 passives=5 promoters=12');
SELECT nps_state_send('v2 detractors=3 passives=5 promoters=12 confidence=0.9');
SELECT nps_state_send(nps_agg(s)) FROM generate_series(0, 10) s;
SELECT nps_agg(s)::text FROM generate_series(0, 10) s;
-- the stored datum (native form, here little-endian): version, kind, flags,
-- reserved, then the counts 8-byte aligned; seen through a binary-coercible
-- cast that exists only inside this transaction
BEGIN;
CREATE CAST (nps_state AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS nps_state) WITHOUT FUNCTION;
SELECT 'v2 detractors=3 passives=5 promoters=12'::nps_state::bytea AS stored,
       'v2 detractors=3 passives=5 promoters=12 confidence=0.9'::nps_state::bytea AS stored_with_confidence,
       nps_margin(s, 0.9)::numeric(10, 6) AS margin90, pg_column_size(nps_agg(s)) AS datum_bytes
FROM generate_series(0, 10) s;
-- a datum stored by abm 1.1 (the version 1 binary form) reads as before
SELECT '\x01000000000000000300000000000000050000000000000007'::bytea::nps_state AS stored_by_1_1,
       nps('\x01000000000000000300000000000000050000000000000007'::bytea::nps_state),
       rollup(st) AS rolled_up_with_new
FROM (VALUES ('\x01000000000000000300000000000000050000000000000007'::bytea::nps_state),
             ('v2 detractors=1 passives=1 promoters=1'::nps_state)) v(st);
-- crafted datums: every function that takes a state validates it
SELECT d AS crafted_datum, sqlstate_of(format('SELECT nps(%L::bytea::nps_state)', d)) AS nps,
       sqlstate_of(format('SELECT rollup(st) FROM (VALUES (%L::bytea::nps_state)) v(st)', d)) AS rollup,
       sqlstate_of(format('SELECT nps_trans(%L::bytea::nps_state, 9)', d)) AS transition
FROM unnest(ARRAY[
  '\x',                                                            -- empty
  '\x0201',                                                        -- header only
  '\x02010000030000000000000005000000000000000c000000000000',      -- a byte short
  '\x03010000030000000000000005000000000000000c00000000000000',    -- version 3
  '\x02020000030000000000000005000000000000000c00000000000000',    -- a csat_state kind
  '\x02010100030000000000000005000000000000000c00000000000000',    -- flagged confidence missing
  '\x02010200030000000000000005000000000000000c00000000000000',    -- unknown flag
  '\x02010001030000000000000005000000000000000c00000000000000',    -- reserved byte
  '\x0201000003000000000000000500000000000000ffffffffffffffff',    -- negative count
  '\x02010100030000000000000005000000000000000c00000000000000000000000000f87f'  -- NaN confidence
]) d;
ROLLBACK;

-- malformed text: 22P02; negative or overflowing counts: 22003
SELECT 'v1 detractors=3 passives=5'::nps_state;
SELECT sqlstate_of(format('SELECT %L::nps_state', t)) FROM unnest(ARRAY[
  '',
  'detractors=3 passives=5 promoters=12',
  'v3 detractors=3 passives=5 promoters=12',
  'v1 detractors=3 passives=5 promoters=12 confidence=0.9',
  'v2 detractors=3 passives=5 promoters=12 confidence=1.5',
  'v2 detractors=3 passives=5 promoters=12 confidence=NaN',
  'v2 detractors=3 passives=5 promoters=12 confidence=',
  'v2 detractors=3 passives=5 promoters=12 confidence=0.9 confidence=0.9',
  'v1 detractors=3 passives=5 promoters=12 extra=0',
  'v1 promoters=12 passives=5 detractors=3',
  'v1 detractors=3.5 passives=5 promoters=12',
  'v1 detractors=0x10 passives=5 promoters=12',
  'v1 detractors=-1 passives=5 promoters=12',
  'v1 detractors=9223372036854775808 passives=5 promoters=12',
  'v1 detractors=9223372036854775807 passives=1 promoters=0',
  'V1 DETRACTORS=3 PASSIVES=5 PROMOTERS=12']) t;

-- the accessors equal the one-step aggregates, by group
CREATE TABLE st_answers AS
SELECT g AS id, g % 40 AS grp, date '2025-01-01' + (g % 365) AS answered_on,
       CASE WHEN g % 13 = 0 THEN NULL ELSE abs(hashint4(g * 7)) % 11 END AS score
FROM generate_series(1, 50000) g;
SELECT count(*) AS groups,
       bool_and(nps(st) = n) AS nps_equal,
       bool_and(nps_margin(st) = m) AS margin_equal,
       bool_and(nps_margin(st, 0.8) = m80) AS margin80_equal,
       bool_and(responses(st) = c) AS responses_equal
FROM (SELECT grp, nps_agg(score) st, nps(score) n, nps_margin(score) m, nps_margin(score, 0.8) m80, count(score) c
      FROM st_answers GROUP BY grp) x;

-- daily states in a materialized view roll up to quarters = direct computation
CREATE MATERIALIZED VIEW nps_daily AS
SELECT answered_on AS day, nps_agg(score) AS st FROM st_answers GROUP BY answered_on;
SELECT q.quarter, responses(q.st), round(nps(q.st)::numeric, 6) AS nps,
       nps(q.st) = d.nps AS equals_direct, responses(q.st) = d.n AS same_count,
       q.st::text = d.st::text AS same_state
FROM (SELECT date_trunc('quarter', day)::date AS quarter, rollup(st) AS st FROM nps_daily GROUP BY 1) q
JOIN (SELECT date_trunc('quarter', answered_on)::date AS quarter, nps(score), count(score) AS n, nps_agg(score) AS st
      FROM st_answers GROUP BY 1) d USING (quarter)
ORDER BY quarter;
SELECT rollup(st)::text = (SELECT nps_agg(score)::text FROM st_answers) AS year_equals_direct
FROM nps_daily;
SELECT rollup(s) AS rollup_of_nulls FROM (VALUES (NULL::nps_state)) v(s);
-- trailing 30 days from the daily states (moving rollup) = the raw answers of those days
SELECT count(*) AS days, bool_and(w.st::text = r.st::text) AS window_equal
FROM (SELECT day, rollup(st) OVER (ORDER BY day ROWS 29 PRECEDING) AS st FROM nps_daily) w
JOIN LATERAL (SELECT nps_agg(score) AS st FROM st_answers
              WHERE answered_on BETWEEN w.day - 29 AND w.day) r ON true;
SELECT rollup(s) AS rollup_overflow FROM (VALUES ('v1 detractors=9223372036854775807 passives=0 promoters=0'::nps_state),
                                                 ('v1 detractors=1 passives=0 promoters=0')) v(s);

-- text COPY and binary COPY round trips of a table of states
CREATE TABLE states AS SELECT day, st FROM nps_daily;
\copy states TO 'results/nps_states.txt'
\copy states TO 'results/nps_states.bin' WITH (FORMAT binary)
CREATE TABLE states_text (LIKE states);
CREATE TABLE states_bin (LIKE states);
\copy states_text FROM 'results/nps_states.txt'
\copy states_bin FROM 'results/nps_states.bin' WITH (FORMAT binary)
SELECT count(*) AS days,
       bool_and(a.st::text = t.st::text) AS text_round_trip,
       bool_and(a.st::text = b.st::text) AS binary_round_trip,
       bool_and(nps_state_send(a.st) = nps_state_send(b.st)) AS same_bytes
FROM states a JOIN states_text t USING (day) JOIN states_bin b USING (day);

-- binary input validates: crafted bytes go in through a bytea column's binary COPY
CREATE TABLE crafted (b bytea);
INSERT INTO crafted VALUES ('\x01000000000000000300000000000000050000000000000007');
\copy crafted TO 'results/nps_crafted_ok.bin' WITH (FORMAT binary)
CREATE TABLE states_in (st nps_state);
\copy states_in FROM 'results/nps_crafted_ok.bin' WITH (FORMAT binary)
SELECT st FROM states_in;
TRUNCATE crafted;
INSERT INTO crafted VALUES ('\x02013fe999999999999a000000000000000300000000000000050000000000000007');  -- v2, confidence 0.8
\copy crafted TO 'results/nps_crafted_v2.bin' WITH (FORMAT binary)
\copy states_in FROM 'results/nps_crafted_v2.bin' WITH (FORMAT binary)
SELECT st FROM states_in;
TRUNCATE crafted;
INSERT INTO crafted VALUES ('\x03000000000000000300000000000000050000000000000007');
\copy crafted TO 'results/nps_crafted_version.bin' WITH (FORMAT binary)
\copy states_in FROM 'results/nps_crafted_version.bin' WITH (FORMAT binary)
TRUNCATE crafted;
INSERT INTO crafted VALUES ('\x01ff00000000000003000000000000000500000000000000');
\copy crafted TO 'results/nps_crafted_short.bin' WITH (FORMAT binary)
\copy states_in FROM 'results/nps_crafted_short.bin' WITH (FORMAT binary)
TRUNCATE crafted;
INSERT INTO crafted VALUES ('\x01ff0000000000000300000000000000050000000000000007');
\copy crafted TO 'results/nps_crafted_negative.bin' WITH (FORMAT binary)
\copy states_in FROM 'results/nps_crafted_negative.bin' WITH (FORMAT binary)
SELECT count(*) AS states_loaded FROM states_in;

-- intervals against an independent computation
CREATE FUNCTION pg_temp.interval_sql(d float8, pa float8, p float8, z float8, adjusted bool,
                                     OUT lo float8, OUT hi float8) LANGUAGE sql AS $$
  SELECT greatest(-100, 100 * (pp - dd) - z * 100 * sqrt((pp + dd - (pp - dd) ^ 2) / n)),
         least(100, 100 * (pp - dd) + z * 100 * sqrt((pp + dd - (pp - dd) ^ 2) / n))
  FROM (SELECT CASE WHEN adjusted THEN d + pa + p + 3 ELSE d + pa + p END AS n,
               (p + CASE WHEN adjusted THEN 0.75 ELSE 0 END) / (d + pa + p + CASE WHEN adjusted THEN 3 ELSE 0 END) AS pp,
               (d + CASE WHEN adjusted THEN 0.75 ELSE 0 END) / (d + pa + p + CASE WHEN adjusted THEN 3 ELSE 0 END) AS dd) x
$$;
SELECT c.d, c.pa, c.p, m.method,
       round(i.lower::numeric, 9) AS lower, round(i.upper::numeric, 9) AS upper,
       abs(i.lower - e.lo) < 1e-9 AND abs(i.upper - e.hi) < 1e-9 AS matches_sql
FROM (VALUES (3, 5, 12), (10, 0, 0), (0, 0, 10), (1, 1, 1), (40, 25, 35), (0, 2, 0)) c(d, pa, p)
CROSS JOIN (VALUES ('wald'), ('adjusted_wald')) m(method)
CROSS JOIN LATERAL nps_interval(format('v1 detractors=%s passives=%s promoters=%s', c.d, c.pa, c.p)::nps_state, 0.95, m.method) i
CROSS JOIN LATERAL pg_temp.interval_sql(c.d, c.pa, c.p, 1.959963984540054, m.method = 'adjusted_wald') e
ORDER BY 1, 2, 3, 4;
SELECT * FROM nps_interval('v1 detractors=0 passives=0 promoters=1') AS wald_needs_two;
SELECT * FROM nps_interval('v1 detractors=0 passives=0 promoters=1', 0.95, 'adjusted_wald') AS adjusted_from_one;
SELECT * FROM nps_interval('v1 detractors=0 passives=0 promoters=0', 0.95, 'adjusted_wald') AS adjusted_needs_one;
SELECT nps_interval('v1 detractors=1 passives=1 promoters=1', 0.95, 'bayes');
SELECT nps_interval('v1 detractors=1 passives=1 promoters=1', 1.0);

-- "is this change real?": margin of a difference, against plain SQL
SELECT round(nps_diff_margin(a, b)::numeric, 9) AS diff_margin,
       abs(nps_diff_margin(a, b) - 1.959963984540054 * sqrt(
             (100 * sqrt((0.35 + 0.30 - 0.05 ^ 2) / 100)) ^ 2 + (100 * sqrt((0.5 + 0.2 - 0.3 ^ 2) / 200)) ^ 2)) < 1e-9 AS matches_sql,
       abs(nps(b) - nps(a)) > nps_diff_margin(a, b) AS change_is_real
FROM (SELECT 'v1 detractors=30 passives=35 promoters=35'::nps_state a,
             'v1 detractors=40 passives=60 promoters=100'::nps_state b) x;
SELECT abs(nps_diff_margin(s, s, 0.9) - sqrt(2) * nps_margin(s, 0.9)) < 1e-12 AS equal_states
FROM (SELECT 'v1 detractors=12 passives=30 promoters=58'::nps_state s) x;
SELECT nps_diff_margin('v1 detractors=0 passives=0 promoters=1', 'v1 detractors=5 passives=5 promoters=5') AS needs_two_each,
       nps_diff_margin('v1 detractors=0 passives=0 promoters=9', 'v1 detractors=0 passives=0 promoters=5') AS all_promoters;
SELECT nps_diff_margin('v1 detractors=1 passives=1 promoters=1', 'v1 detractors=1 passives=1 promoters=1', -1);
