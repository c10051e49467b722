insert into app.t (a) values ('x') on conflict do nothin;
