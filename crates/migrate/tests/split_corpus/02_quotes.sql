CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.q (s text);
INSERT INTO app.q VALUES ('a;b'), ('it''s; fine'), (E'esc\'; aped'), (E'back\\'), ('back\');
INSERT INTO app.q VALUES (U&'d\0061t\+000061;'), (N'nat;ional'), ((B'0101' IS NOT NULL)::text), (X'1F'::text);
SELECT s, U&"s" FROM app.q AS "U&""x;" ORDER BY 1;
SELECT 'a' IS NULL, 'x' AS xe;
