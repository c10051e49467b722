CREATE SCHEMA IF NOT EXISTS app;
DO $$ BEGIN PERFORM 1; END $$;
DO $outer$
BEGIN
    EXECUTE $inner$ SELECT ';' $inner$;
    PERFORM '$$;';
END
$outer$;
CREATE OR REPLACE FUNCTION app.f(x int) RETURNS int LANGUAGE plpgsql AS $body$
DECLARE y int := x; -- ;
BEGIN
    CASE WHEN y > 0 THEN RETURN 1; ELSE RETURN 2; END CASE;
END
$body$;
SELECT app.f(1), $_x$ $a$ ; $b$ $_x$, a$b FROM (SELECT 1 AS a$b) s;
PREPARE p AS SELECT $1::int; EXECUTE p(3); DEALLOCATE p;
