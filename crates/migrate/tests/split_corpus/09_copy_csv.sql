CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.v (id int, note text);
copy app.v FROM STDIN
  WITH (FORMAT csv, HEADER true);
id,note
1,"semi; colon"
2,"multi
line; value"
3,"""quoted"" -- not a comment"
4,$$ not a dollar quote
\.
SELECT * FROM app.v ORDER BY id;
