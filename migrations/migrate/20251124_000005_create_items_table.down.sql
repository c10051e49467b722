DROP TABLE IF EXISTS app.items;
DROP FUNCTION IF EXISTS app.touch_updated_at();
