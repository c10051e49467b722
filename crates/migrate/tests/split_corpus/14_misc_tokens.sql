SELECT (ARRAY[1,2,3])[1:2], 1::int, '{1}'::int[], 1.5e3, .5 FROM (SELECT 1) s WHERE 1 <> 2;
SELECT 1 AS begin, 2 AS "case", 3 AS end;
CREATE TEMP TABLE t_begin (x int);
CREATE OR REPLACE VIEW v_end AS SELECT CASE WHEN true THEN 1 END AS e;
