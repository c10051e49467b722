DROP TABLE IF EXISTS master.locations;
DROP FUNCTION IF EXISTS master.check_location_parent();
