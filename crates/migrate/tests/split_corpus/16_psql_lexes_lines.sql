-- expect-errors: psql splits where the server would not, and the server rejects the pieces
SELECT E'c'
'\'; SELECT 'the rest';
SELECT 1 AS after;
