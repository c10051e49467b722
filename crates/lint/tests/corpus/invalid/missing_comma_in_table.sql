create table app.t (
  id int,
  name text
  price int
);
