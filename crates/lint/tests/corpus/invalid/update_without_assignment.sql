select 1;
-- a comment
update app.t set;
