select * from app.t where;
