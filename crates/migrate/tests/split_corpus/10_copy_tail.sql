CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.w (id int);
COPY app.w FROM stdin; SELECT 'runs after the data';
1
2
\.
SELECT * FROM app.w ORDER BY id;
