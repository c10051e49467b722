alter table app.t add column;
