insert into app.t values (1,);
