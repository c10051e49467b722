DROP TABLE IF EXISTS auth."user";
DROP FUNCTION IF EXISTS auth.touch_updated_at();
