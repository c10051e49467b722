-- The service's one schema; public holds only strata's migration history.
CREATE SCHEMA IF NOT EXISTS app;
