--
-- Multi-touch attribution: attribute() against a plain-SQL statement of
-- every model and of the largest-remainder rounding, exact to the digit
--
\pset null '(null)'
SELECT setseed(0.61);

-- Touches on the hour (so many tie), some marked as milestones; opportunities
-- with touches inside, outside and on the edge of a 30-day window, a single
-- touch, and none at all.
CREATE TABLE at_touch (touch_id int, account_id int, campaign text, touched_at timestamptz, milestone boolean);
INSERT INTO at_touch
SELECT i, 1 + floor(random() * 150)::int, 'campaign ' || (1 + floor(random() * 12)::int),
       timestamptz '2025-01-01 00:00+00' + floor(random() * 24 * 200) * interval '1 hour', random() < 0.15
FROM generate_series(1, 2500) i;
CREATE TABLE at_opp (opp_id int, account_id int, created_at timestamptz, amount numeric(12,2));
INSERT INTO at_opp
SELECT i, 1 + floor(random() * 170)::int,
       timestamptz '2025-02-01 00:00+00' + floor(random() * 24 * 150) * interval '1 hour',
       round((random() * 99999)::numeric, 2)
FROM generate_series(1, 400) i;
INSERT INTO at_opp VALUES (401, 1, (SELECT min(touched_at) FROM at_touch WHERE account_id = 1) + interval '1 hour', 100.00);

CREATE TABLE at_models (model text);
INSERT INTO at_models VALUES ('first_touch'), ('last_touch'), ('linear'), ('time_decay'), ('u_shaped'), ('w_shaped');

-- abm: each opportunity's touches in the window, in time order (ties by touch_id)
CREATE TABLE at_got AS
SELECT m.model, o.opp_id, a.touch_position AS pos, a.touch AS campaign, a.credit
FROM at_opp o CROSS JOIN at_models m,
     LATERAL (SELECT array_agg(campaign ORDER BY touched_at, touch_id) AS c,
                     array_agg(touched_at ORDER BY touched_at, touch_id) AS t,
                     array_agg(milestone ORDER BY touched_at, touch_id) AS ms
              FROM at_touch t
              WHERE t.account_id = o.account_id AND t.touched_at < o.created_at
                AND t.touched_at >= o.created_at - interval '30 days') x,
     LATERAL attribute(m.model, o.amount, o.created_at, x.c, x.t, x.ms, '7 days') a;

-- plain SQL: the weights of each model, then floor and largest remainder
CREATE TABLE at_ref AS
WITH w AS (
  SELECT o.opp_id, o.amount, o.created_at, t.campaign, t.touched_at, t.milestone,
         row_number() OVER (PARTITION BY o.opp_id ORDER BY t.touched_at, t.touch_id) AS pos,
         count(*) OVER (PARTITION BY o.opp_id) AS n
  FROM at_opp o JOIN at_touch t ON t.account_id = o.account_id AND t.touched_at < o.created_at
                                AND t.touched_at >= o.created_at - interval '30 days'),
ms AS (SELECT opp_id, min(pos) FILTER (WHERE milestone AND pos > 1 AND pos < n) AS m FROM w GROUP BY opp_id),
rational AS (
  SELECT m.model, w.*, w.amount * 100 AS units,
         CASE m.model
           WHEN 'first_touch' THEN (pos = 1)::int
           WHEN 'last_touch' THEN (pos = n)::int
           WHEN 'linear' THEN 1
           ELSE CASE WHEN m.model = 'w_shaped' AND ms.m IS NOT NULL
                     THEN CASE WHEN n = 3 THEN 1 WHEN pos IN (1, n, ms.m) THEN 3 * (n - 3) ELSE 1 END
                     WHEN n <= 2 THEN 1 WHEN pos IN (1, n) THEN 2 * (n - 2) ELSE 1 END
         END AS wt
  FROM w JOIN ms USING (opp_id) CROSS JOIN at_models m WHERE m.model <> 'time_decay'),
rational_parts AS (
  SELECT *, floor(units * wt / sum(wt) OVER (PARTITION BY model, opp_id)) AS fl,
         mod(units * wt, sum(wt) OVER (PARTITION BY model, opp_id)) AS rem
  FROM rational),
decay AS (
  SELECT 'time_decay'::text AS model, w.*, w.amount * 100 AS units,
         power(2::float8, -(extract(epoch FROM w.created_at - w.touched_at)::float8
                            - min(extract(epoch FROM w.created_at - w.touched_at)::float8) OVER (PARTITION BY w.opp_id))
                          / 604800::float8) AS wt
  FROM w),
decay_parts AS (
  SELECT *, floor(units::float8 * (wt / total)) AS fl, units::float8 * (wt / total) - floor(units::float8 * (wt / total)) AS rem
  FROM (SELECT *, sum(wt) OVER (PARTITION BY opp_id ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS total
        FROM decay) d),
parts AS (
  SELECT model, opp_id, pos, campaign, units, fl::numeric AS fl, rem::float8 AS rem FROM rational_parts
  UNION ALL
  SELECT model, opp_id, pos, campaign, units, fl::numeric, rem FROM decay_parts),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY model, opp_id ORDER BY rem DESC, pos) AS rank,
         units - sum(fl) OVER (PARTITION BY model, opp_id) AS leftover
  FROM parts)
SELECT model, opp_id, pos::int, campaign, (fl + (rank <= leftover)::int) / 100 AS credit FROM ranked
UNION ALL
-- no touch in the window: the whole amount, unattributed
SELECT m.model, o.opp_id, NULL, NULL, o.amount FROM at_opp o CROSS JOIN at_models m
WHERE NOT EXISTS (SELECT 1 FROM at_touch t WHERE t.account_id = o.account_id AND t.touched_at < o.created_at
                                            AND t.touched_at >= o.created_at - interval '30 days');

SELECT g.model, count(*) AS credits,
       count(DISTINCT g.opp_id) FILTER (WHERE g.campaign IS NULL) AS unattributed,
       (SELECT count(*) FROM (SELECT * FROM at_got x WHERE x.model = g.model
                              EXCEPT ALL SELECT * FROM at_ref r WHERE r.model = g.model) d) AS not_in_sql,
       (SELECT count(*) FROM (SELECT * FROM at_ref r WHERE r.model = g.model
                              EXCEPT ALL SELECT * FROM at_got x WHERE x.model = g.model) d) AS missing,
       bool_and(g.credit >= 0) AS none_negative
FROM at_got g GROUP BY g.model ORDER BY g.model;
-- the credits of every opportunity add up to its amount, to the digit
SELECT count(*) AS opportunities_x_models,
       count(*) FILTER (WHERE s.total <> o.amount) AS off_by_any_digit
FROM (SELECT model, opp_id, sum(credit) AS total FROM at_got GROUP BY model, opp_id) s JOIN at_opp o USING (opp_id);
-- touches need not come in time order: attribute() sorts them, ties in the order given;
-- arrays in touch_id order (not time order) give the credits of ORDER BY touched_at, touch_id
CREATE TABLE at_unordered AS
SELECT m.model, o.opp_id, a.touch_position AS pos, a.touch AS campaign, a.credit
FROM at_opp o CROSS JOIN at_models m,
     LATERAL (SELECT array_agg(campaign ORDER BY touch_id) AS c, array_agg(touched_at ORDER BY touch_id) AS t,
                     array_agg(milestone ORDER BY touch_id) AS ms
              FROM at_touch t
              WHERE t.account_id = o.account_id AND t.touched_at < o.created_at
                AND t.touched_at >= o.created_at - interval '30 days') x,
     LATERAL attribute(m.model, o.amount, o.created_at, x.c, x.t, x.ms, '7 days') a;
SELECT (SELECT count(*) FROM at_unordered) AS credits,
       (SELECT count(*) FROM (TABLE at_unordered EXCEPT ALL TABLE at_got) d) AS not_in_ordered,
       (SELECT count(*) FROM (TABLE at_got EXCEPT ALL TABLE at_unordered) d) AS missing,
       (SELECT count(*) FROM at_opp o WHERE EXISTS (
            SELECT FROM at_touch t, at_touch t2
            WHERE t.account_id = o.account_id AND t2.account_id = o.account_id
              AND t.touch_id < t2.touch_id AND t.touched_at > t2.touched_at
              AND t.touched_at < o.created_at AND t2.touched_at >= o.created_at - interval '30 days')) AS opportunities_out_of_order;
DROP TABLE at_unordered;
SELECT touch, touch_position, credit
FROM attribute('w_shaped', 100, '2025-03-01', ARRAY['b', 'a', 'c', 'd'],
               ARRAY[timestamptz '2025-02-02', '2025-02-01', '2025-02-02', '2025-01-01'], ARRAY[true, false, false, false]);
-- what the data covers: single touches, ties in time, a window with several milestones
SELECT (SELECT count(*) FROM (SELECT opp_id FROM at_got WHERE model = 'linear' GROUP BY opp_id HAVING max(pos) = 1) x) > 0 AS single_touch,
       (SELECT count(*) FROM at_touch a JOIN at_touch b ON a.account_id = b.account_id AND a.touched_at = b.touched_at
                                                     AND a.touch_id < b.touch_id) > 0 AS ties_in_time,
       (SELECT count(*) FROM at_got WHERE model = 'first_touch' AND pos IS NULL) > 0 AS opportunities_without_touch;

-- per campaign: influenced opportunities, attributed pipeline, under two models
SELECT coalesce(campaign, '(unattributed)') AS campaign,
       count(DISTINCT opp_id) FILTER (WHERE model = 'linear') AS influenced,
       sum(credit) FILTER (WHERE model = 'linear') AS linear,
       sum(credit) FILTER (WHERE model = 'w_shaped') AS w_shaped
FROM at_got GROUP BY 1 ORDER BY 1 LIMIT 5;

-- by hand: the models on one opportunity, and the last cent
SELECT model, array_agg(credit ORDER BY touch_position) AS credits
FROM at_models m,
     attribute(m.model, 100.01, '2025-03-01', ARRAY['a', 'b', 'c', 'd'],
               ARRAY[timestamptz '2025-02-01', '2025-02-10', '2025-02-20', '2025-02-21'], ARRAY[false, false, true, false]) a
GROUP BY model ORDER BY model;
SELECT array_agg(credit ORDER BY touch_position) AS thirds FROM attribute('linear', 1, '2025-03-01', ARRAY[1, 2, 3],
       ARRAY[timestamptz '2025-02-01', '2025-02-01', '2025-02-01']);
SELECT array_agg(credit ORDER BY touch_position) AS scale_4 FROM attribute('u_shaped', 10.0001, '2025-03-01', ARRAY[1, 2, 3],
       ARRAY[timestamptz '2025-02-01', '2025-02-02', '2025-02-03']);
SELECT * FROM attribute('w_shaped', 90, '2025-03-01', ARRAY['x', 'm', 'y'],
                        ARRAY[timestamptz '2025-02-01', '2025-02-02', '2025-02-03'], ARRAY[false, true, false]);
SELECT * FROM attribute('linear', 0, '2025-03-01', ARRAY['x', 'y'], ARRAY[timestamptz '2025-02-01', '2025-02-02']);
SELECT * FROM attribute('time_decay', 70, '2025-03-01', ARRAY['old', 'new'],
                        ARRAY[timestamptz '2025-02-01', '2025-02-22'], half_life => '1 day');
-- touches thousands of half-lives old: the weights do not underflow
SELECT * FROM attribute('time_decay', 100, '2025-03-01', ARRAY['a', 'b', 'c'],
                        ARRAY[timestamptz '2011-03-01', '2013-06-01', '2016-01-01'], half_life => '1 day');
SELECT * FROM attribute('linear', 50, '2025-03-01', '{}'::text[], '{}');
SELECT * FROM attribute('linear', NULL, '2025-03-01', ARRAY['x'], ARRAY[timestamptz '2025-02-01']);

-- bad input
SELECT sqlstate_of(q) FROM unnest(ARRAY[
  $$SELECT * FROM attribute('position_based', 1, now(), ARRAY[1], ARRAY[now()])$$,
  $$SELECT * FROM attribute(NULL, 1, now(), ARRAY[1], ARRAY[now()])$$,
  $$SELECT * FROM attribute('linear', -1, now(), ARRAY[1], ARRAY[now()])$$,
  $$SELECT * FROM attribute('linear', 'NaN', now(), ARRAY[1], ARRAY[now()])$$,
  $$SELECT * FROM attribute('linear', 1e20, now(), ARRAY[1], ARRAY[now()])$$,
  $$SELECT * FROM attribute('time_decay', 99999999999999999.99, now(), ARRAY[1], ARRAY[now()])$$,
  $$SELECT * FROM attribute('linear', 1, NULL, ARRAY[1], ARRAY[now()])$$,
  $$SELECT * FROM attribute('linear', 1, '2025-03-01', ARRAY[1, 2], ARRAY[timestamptz '2025-02-01'])$$,
  $$SELECT * FROM attribute('linear', 1, '2025-03-01', ARRAY[1], NULL)$$,
  $$SELECT * FROM attribute('linear', 1, '2025-03-01', ARRAY[1], ARRAY[timestamptz '2025-03-02'])$$,
  $$SELECT * FROM attribute('linear', 1, '2025-03-01', ARRAY[1], ARRAY[NULL::timestamptz])$$,
  $$SELECT * FROM attribute('linear', 1, '2025-03-01', ARRAY[1], ARRAY[timestamptz '-infinity'])$$,
  $$SELECT * FROM attribute('w_shaped', 1, '2025-03-01', ARRAY[1], ARRAY[timestamptz '2025-02-01'], ARRAY[true, false])$$,
  $$SELECT * FROM attribute('w_shaped', 1, '2025-03-01', ARRAY[1], ARRAY[timestamptz '2025-02-01'], ARRAY[NULL::boolean])$$,
  $$SELECT * FROM attribute('time_decay', 1, '2025-03-01', ARRAY[1], ARRAY[timestamptz '2025-02-01'], NULL, '0 days')$$,
  $$SELECT * FROM attribute('time_decay', 1, '2025-03-01', ARRAY[1], ARRAY[timestamptz '2025-02-01'], NULL, '-1 day')$$,
  $$SELECT * FROM attribute('linear', 1, '2025-03-01', ARRAY[[1], [2]], ARRAY[timestamptz '2025-02-01', '2025-02-02'])$$
]) q;

DROP TABLE at_touch, at_opp, at_models, at_got, at_ref;
