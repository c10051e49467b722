create table app.t (id int primary key,
  name text not nul
);
