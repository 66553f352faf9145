--
-- nps_class: detractor < passive < promoter, the same enumeration mechanism
--
\pset null '(null)'

SELECT s AS score, nps_class(s), nps_class(s::smallint) = nps_class(s::bigint) AS same_for_all_int_types
FROM generate_series(0, 10) s;

SELECT 'Promoter'::nps_class > 'passive' AS promoter_above_passive, pg_column_size('passive'::nps_class);
SELECT c, count(*) FROM (SELECT nps_class(s) c FROM generate_series(0, 10) s) x GROUP BY c ORDER BY c;
SELECT min(nps_class(s)), max(nps_class(s)) FROM generate_series(5, 8) s;

-- out of range and bad labels
SELECT nps_class(11);
SELECT nps_class(-1::bigint);
SELECT 'neutral'::nps_class;
SELECT nps_class(NULL::int);

SELECT nps_class_labels();
