CREATE SCHEMA IF NOT EXISTS app; CREATE TABLE app.t (a int, b text);;
-- a comment; with semicolons;
INSERT INTO app.t VALUES (1, 'one'); INSERT INTO app.t VALUES (2, 'two') ;
;
SELECT count(*)
  FROM app.t
 WHERE a > 0 -- trailing; comment
;
