CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.n (v int);
CREATE OR REPLACE FUNCTION app.sign(x int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN x > 0 THEN 1 WHEN x < 0 THEN -1 ELSE 0 END;
END;
create procedure app.add(x int) language sql
begin atomic
    insert into app.n values (x);
    insert into app.n values (case when x > 1 then x else 0 end);
end;
CALL app.add(2);
BEGIN;
SELECT CASE WHEN true THEN 1 END;
COMMIT;
CREATE TABLE app.words ("begin" int, "end" int);
