--
-- Helpers for the tests that follow (they run in one database, in order).
--

-- The SQLSTATE and message of a statement that must fail.
CREATE FUNCTION sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The value a query returns as text, or its SQLSTATE if it fails.
CREATE FUNCTION outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	EXECUTE q INTO r;
	RETURN coalesce(r, '(null)');
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;

SELECT sqlstate_of('SELECT 1/0') AS fails, outcome('SELECT 1/0') AS code, outcome('SELECT 42') AS value;
