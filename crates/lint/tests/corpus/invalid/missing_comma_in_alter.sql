alter table app.t
  add column if not exists x int
  drop column y;
