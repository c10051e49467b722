-- Places: countries, their regions, the regions' cities. `code` is an ISO 3166 code
-- for countries and regions where one exists.
CREATE TABLE IF NOT EXISTS master.locations (
    id        uuid NOT NULL DEFAULT gen_random_uuid(),
    parent_id uuid,
    kind      text NOT NULL,
    name      text NOT NULL,
    code      text,
    CONSTRAINT locations_pkey PRIMARY KEY (id),
    CONSTRAINT locations_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES master.locations (id) ON DELETE RESTRICT,
    CONSTRAINT locations_parent_name_key UNIQUE NULLS NOT DISTINCT (parent_id, name),
    CONSTRAINT locations_kind_check CHECK (kind IN ('country', 'region', 'city')),
    CONSTRAINT locations_root_check CHECK ((kind = 'country') = (parent_id IS NULL)),
    CONSTRAINT locations_name_check CHECK (char_length(name) BETWEEN 1 AND 100)
);

-- Walking the tree downwards (the items filter includes the places inside a place).
CREATE INDEX IF NOT EXISTS locations_parent_id_idx ON master.locations (parent_id);

-- A CHECK cannot look at another row: the level below a country is a region, below a
-- region a city.
CREATE OR REPLACE FUNCTION master.check_location_parent() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent_kind text;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT l.kind INTO parent_kind FROM master.locations AS l WHERE l.id = NEW.parent_id;
    IF parent_kind IS DISTINCT FROM (CASE NEW.kind WHEN 'region' THEN 'country' WHEN 'city' THEN 'region' END) THEN
        RAISE EXCEPTION 'a % cannot be inside a %', NEW.kind, coalesce(parent_kind, 'missing location')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'locations_hierarchy_check';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS locations_check_parent ON master.locations;
CREATE TRIGGER locations_check_parent
    BEFORE INSERT OR UPDATE OF parent_id, kind ON master.locations
    FOR EACH ROW EXECUTE FUNCTION master.check_location_parent();
