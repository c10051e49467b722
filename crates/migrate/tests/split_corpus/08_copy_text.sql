CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.c (id int, note text);
COPY app.c (id, note) FROM stdin;
1	semi; colon
2	'quote
3	-- dashes
4	/* star
5	back\\slash and \t tab
6	\N
\.
SELECT * FROM app.c ORDER BY id;
