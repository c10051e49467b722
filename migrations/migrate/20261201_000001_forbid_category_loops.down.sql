DROP TRIGGER IF EXISTS categories_check_parent ON master.categories;
DROP FUNCTION IF EXISTS master.check_category_parent();
