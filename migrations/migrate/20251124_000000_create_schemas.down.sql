-- Dropping a schema drops everything in it: this runs last when rolling back all.
DROP SCHEMA IF EXISTS app CASCADE;
DROP SCHEMA IF EXISTS master CASCADE;
DROP SCHEMA IF EXISTS auth CASCADE;
