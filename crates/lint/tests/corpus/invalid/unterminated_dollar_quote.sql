select $$abc;
