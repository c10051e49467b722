ALTER TABLE auth."user" DROP COLUMN IF EXISTS last_login_at;
