do $$
begin
  perfom 1;
end $$;
