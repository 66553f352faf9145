--
-- The install script's rules, checked on the catalog: a failure lists the
-- offending objects.
--

-- every function, aggregate, type, operator and cast of abm has a comment
SELECT classid::regclass AS catalog, pg_describe_object(classid, objid, 0) AS object_without_comment
FROM pg_depend d
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND deptype = 'e'
  AND obj_description(objid, classid::regclass::name) IS NULL
  AND classid <> 'pg_opclass'::regclass AND classid <> 'pg_opfamily'::regclass
ORDER BY 2;

-- no SECURITY DEFINER; every function PARALLEL SAFE; C functions not volatile
SELECT p.oid::regprocedure AS function, p.prosecdef, p.proparallel, p.provolatile
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND (p.prosecdef OR p.proparallel <> 's' OR p.provolatile = 'v')
ORDER BY 1;

-- every aggregate: a combine function; a real transition type (never a
-- pseudo-type such as internal: Citus ships a partial state as its text
-- form); a state passed by reference declares its size to the planner
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggcombinefn, a.aggtranstype::regtype, a.aggtransspace,
       a.aggmtranstype::regtype, a.aggmtransspace
FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.classid = 'pg_proc'::regclass
JOIN pg_type t ON t.oid = a.aggtranstype
LEFT JOIN pg_type mt ON mt.oid = a.aggmtranstype
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND (a.aggcombinefn = 0 OR a.aggserialfn <> 0
       OR t.typtype = 'p' OR mt.typtype = 'p'
       OR (NOT t.typbyval AND a.aggtransspace <= 0)
       OR (mt.oid IS NOT NULL AND NOT mt.typbyval AND a.aggmtransspace <= 0))
ORDER BY 1;

-- every metric aggregate has a moving-aggregate inverse (min/max of the
-- enumerations cannot, nor stage_path, whose first entries are minimums;
-- account_nps keeps float moments and engagement_as_of a float sum, which
-- do not subtract exactly, as avg(float8) and sum(float8) have no inverse)
SELECT a.aggfnoid::regprocedure AS aggregate_without_inverse
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_depend d ON d.objid = a.aggfnoid AND d.classid = 'pg_proc'::regclass
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND p.proname NOT IN ('min', 'max', 'account_nps', 'account_nps_margin', 'stage_path', 'engagement_as_of')
  AND NOT (p.proname = 'rollup' AND a.aggtranstype = 'stage_path'::regtype)
  AND a.aggminvtransfn = 0
ORDER BY 1;

-- what the extension contains, by kind (a change here is deliberate)
SELECT classid::regclass AS catalog, count(*)
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'abm')
  AND deptype = 'e'
GROUP BY 1 ORDER BY 1::text;
