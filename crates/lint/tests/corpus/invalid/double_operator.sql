select 1;
select * from app.t where id = = 1;
