-- The application's schemas, one per concern: auth (identities and sessions),
-- master (reference data) and app (transactional data). public holds only the
-- migration history. Every later file may use these and no other schema.
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS master;
CREATE SCHEMA IF NOT EXISTS app;
