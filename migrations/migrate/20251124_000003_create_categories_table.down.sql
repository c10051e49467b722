DROP TABLE IF EXISTS master.categories;
