create or replace function app.f() returns int
language plpgsql as $$
begin
  if true then
    return 1;
  end;
end
$$;
