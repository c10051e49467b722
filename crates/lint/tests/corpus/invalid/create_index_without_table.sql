create index on;
