--
-- nps, nps_margin, csat: the one-step aggregates
--
\pset null '(null)'

-- 100k deterministic answers in 50 groups, a seventh of them NULL, group 49 all NULL
CREATE TABLE nps_answers AS
SELECT g AS id, g % 50 AS grp,
       CASE WHEN g % 10 = 0 THEN NULL ELSE abs(hashint4(g)) % 11 END AS score
FROM generate_series(1, 100000) g;

-- the plain-SQL formulas, written independently of the extension
CREATE VIEW plain AS
SELECT grp,
       100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / nullif(count(score), 0) AS nps,
       count(score) AS n,
       count(*) FILTER (WHERE score >= 9)::float8 / nullif(count(score), 0) AS p,
       count(*) FILTER (WHERE score <= 6)::float8 / nullif(count(score), 0) AS d
FROM nps_answers GROUP BY grp;

SELECT count(*) AS groups, count(*) FILTER (WHERE p.n = 0) AS all_null_groups,
       bool_and(CASE WHEN p.n = 0 THEN a.nps IS NULL
                ELSE abs(a.nps - p.nps) < 1e-9 END) AS nps_equal,
       bool_and(CASE WHEN p.n = 0 THEN a.margin IS NULL
                ELSE abs(a.margin - 1.959963984540054 * 100 * sqrt((p.p + p.d - (p.p - p.d) ^ 2) / p.n)) < 1e-9 END) AS margin_equal,
       bool_and(CASE WHEN p.n = 0 THEN a.margin90 IS NULL
                ELSE abs(a.margin90 - 1.6448536269514722 * 100 * sqrt((p.p + p.d - (p.p - p.d) ^ 2) / p.n)) < 1e-9 END) AS margin90_equal
FROM (SELECT grp, nps(score), nps_margin(score) AS margin, nps_margin(score, 0.90) AS margin90
      FROM nps_answers GROUP BY grp) a
JOIN plain p USING (grp);

-- ungrouped, and every integer input type
SELECT round(nps(score)::numeric, 9) AS nps,
       nps(score) = nps(score::smallint) AND nps(score) = nps(score::bigint) AS int_types_agree,
       round(nps_margin(score)::numeric, 9) AS margin
FROM nps_answers;
SELECT round((SELECT nps FROM (SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score) AS nps FROM nps_answers) x), 9) AS plain_nps;

-- a numeric score column: integral values count as the integers (7.00 is 7), per group
-- against the integer column, state by state and for csat; 7.5, NaN and out of range are 22003
SELECT count(*) AS groups,
       bool_and(n.nps IS NOT DISTINCT FROM i.nps AND n.margin IS NOT DISTINCT FROM i.margin
                AND n.margin90 IS NOT DISTINCT FROM i.margin90 AND n.st = i.st AND n.csat IS NOT DISTINCT FROM i.csat
                AND n.cst = i.cst) AS numeric_equals_integer
FROM (SELECT grp, nps(score * 1.00) AS nps, nps_margin(score::numeric) AS margin, nps_margin(score::numeric(4, 1), 0.9) AS margin90,
             nps_agg(score::numeric)::text AS st, csat(1 + score % 5 + 0.000) AS csat, csat_agg((1 + score % 5)::numeric)::text AS cst
      FROM nps_answers GROUP BY grp) n
JOIN (SELECT grp, nps(score), nps_margin(score) AS margin, nps_margin(score, 0.9) AS margin90, nps_agg(score)::text AS st,
             csat(1 + score % 5), csat_agg(1 + score % 5)::text AS cst
      FROM nps_answers GROUP BY grp) i USING (grp);
SELECT nps_class(s) AS class_of_numeric, count(*) FROM (VALUES (6.0), (7.00), (8), (9.0000), (0)) v(s) GROUP BY 1 ORDER BY 1;
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT nps(7.5)', 'SELECT nps(10.01)', 'SELECT nps(-1.0)', 'SELECT nps(11.0)', $$SELECT nps('NaN'::numeric)$$,
  $$SELECT nps_agg('Infinity'::numeric)$$, 'SELECT nps(1e30)', 'SELECT nps(0.5)', 'SELECT nps_margin(3.25, 0.9)',
  'SELECT csat(4.5)', 'SELECT csat(0.0)', 'SELECT csat_agg(6)', 'SELECT nps_class(2.5)']) q;
SELECT nps(s) AS numeric_zero_and_negative_zero FROM (VALUES (0.0), (-0.0), (10)) v(s);

-- edge cases
SELECT nps(s) AS empty, nps_margin(s) AS empty_margin, csat(s) AS empty_csat FROM (SELECT 1 AS s WHERE false) x;
SELECT nps(s) AS all_null, nps_margin(s), csat(s) FROM (VALUES (NULL::int), (NULL)) v(s);
SELECT nps(s) AS one_promoter, nps_margin(s) AS margin_needs_two FROM (VALUES (10)) v(s);
SELECT nps(s) AS one_detractor FROM (VALUES (0)) v(s);
SELECT nps(s) AS all_promoters, nps_margin(s) AS zero_margin FROM (VALUES (9), (10), (10)) v(s);
SELECT nps(s) AS all_detractors, nps_margin(s) AS zero_margin FROM (VALUES (0), (6), (3)) v(s);
SELECT nps(s) AS all_passives FROM (VALUES (7), (8)) v(s);
SELECT nps(s) AS two_extremes, round(nps_margin(s)::numeric, 9) AS margin FROM (VALUES (0), (10)) v(s);

-- out of range scores: 22003, naming the value and the range
SELECT nps(s) FROM (VALUES (5), (11)) v(s);
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  'SELECT nps(-1)', 'SELECT nps(11::smallint)', 'SELECT nps(9223372036854775807)',
  'SELECT nps_margin(12)', 'SELECT nps_agg(-5)', 'SELECT nps_margin(11, 0.9)',
  'SELECT csat(0)', 'SELECT csat(6)', 'SELECT csat(-9223372036854775808)']) q;

-- confidence: strictly between 0 and 1, the same on every row; NULL rows ignored
SELECT nps_margin(s, 0) FROM (VALUES (5), (9)) v(s);
SELECT sqlstate_of(format('SELECT nps_margin(s, %s) FROM (VALUES (5), (9)) v(s)', c))
FROM unnest(ARRAY['1', '-0.5', '1.5', '''NaN''::float8', '''Infinity''::float8', '''-Infinity''::float8']) c;
SELECT sqlstate_of('SELECT nps_margin(s, c) FROM (VALUES (5, 0.9), (9, 0.95)) v(s, c)');
SELECT round(nps_margin(s, c)::numeric, 9) AS null_confidence_row_ignored
FROM (VALUES (5, 0.9), (9, NULL), (10, 0.9)) v(s, c);
SELECT round(nps_margin(score, 0.9)::numeric, 9) = round(nps_margin(score)::numeric * 1.6448536269514722 / 1.959963984540054, 9) AS z_scales
FROM nps_answers;

-- csat against plain SQL
SELECT bool_and(a.csat IS NOT DISTINCT FROM p.csat) AS csat_equal, count(*) AS groups, count(a.csat) AS groups_with_answers
FROM (SELECT grp, csat(1 + score % 5) FROM nps_answers GROUP BY grp) a
JOIN (SELECT grp, count(*) FILTER (WHERE 1 + score % 5 >= 4)::float8 / nullif(count(score), 0) AS csat FROM nps_answers GROUP BY grp) p USING (grp);
SELECT csat(s) AS all_satisfied, csat(s::smallint) AS smallint_input FROM (VALUES (4), (5)) v(s);
SELECT csat(s) AS none_satisfied FROM (VALUES (1), (3)) v(s);

-- sliding windows (moving-aggregate inverse) equal recomputing each frame
CREATE TABLE timeline AS SELECT id AS t, score FROM nps_answers WHERE id <= 3000;
SELECT count(*) AS frames,
       bool_and(w.nps IS NOT DISTINCT FROM r.nps) AS nps_equal,
       bool_and(w.margin IS NOT DISTINCT FROM r.margin) AS margin_equal,
       bool_and(w.csat IS NOT DISTINCT FROM r.csat) AS csat_equal
FROM (SELECT t, nps(score) OVER win, nps_margin(score) OVER win AS margin, csat(1 + score % 5) OVER win
      FROM timeline WINDOW win AS (ORDER BY t ROWS 99 PRECEDING)) w
JOIN LATERAL (SELECT nps(score), nps_margin(score) AS margin, csat(1 + score % 5)
              FROM timeline x WHERE x.t BETWEEN w.t - 99 AND w.t) r ON true;
-- a frame of only NULLs after non-NULLs gives NULL, not a stale value
SELECT t, nps(s) OVER (ORDER BY t ROWS 1 PRECEDING)
FROM (VALUES (1, 10), (2, 0), (3, NULL), (4, NULL), (5, 9)) v(t, s);
