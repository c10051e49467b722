-- The worked example of the schema update workflow (crates/app/README-workflow.md):
-- a column added by its own migration, never by editing an applied one. Nullable, so
-- existing rows need no backfill and the ALTER takes no table rewrite.
ALTER TABLE auth."user" ADD COLUMN IF NOT EXISTS last_login_at timestamptz;
