-- A category must not end up inside itself: with parent_id pointing at one of its own
-- descendants, walking the tree never ends (the items filter by category recursed
-- until the temporary-file limit) and the tree listing silently left the loop out.
-- categories_parent_check stops only the shortest loop (a row its own parent); a CHECK
-- cannot look at other rows, so a trigger walks up from the new parent.

-- Refuse to install the rule over data that already breaks it, naming the rows.
DO $$
DECLARE
    looped text;
BEGIN
    SELECT string_agg(c.slug, ', ' ORDER BY c.slug) INTO looped
    FROM master.categories AS c
    WHERE EXISTS (
        WITH RECURSIVE up (id) AS (
            SELECT c.parent_id
            UNION
            SELECT p.parent_id FROM master.categories AS p JOIN up ON p.id = up.id
        )
        SELECT FROM up WHERE up.id = c.id
    );
    IF looped IS NOT NULL THEN
        RAISE EXCEPTION 'master.categories has loops through the categories %', looped
            USING HINT = 'Point their parent_id elsewhere (or to NULL), then migrate again.';
    END IF;
END
$$;

-- Writers of the tree take turns (a transaction-level advisory lock), so that two
-- concurrent changes cannot each close half of a loop; in READ COMMITTED each walk
-- then sees what the one before committed. UNION (not UNION ALL) ends the walk even
-- on a loop that predates this rule.
CREATE OR REPLACE FUNCTION master.check_category_parent() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent_slug text;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('master.categories'), 0);
    IF EXISTS (
        WITH RECURSIVE up (id) AS (
            SELECT NEW.parent_id
            UNION
            SELECT c.parent_id FROM master.categories AS c JOIN up ON c.id = up.id
        )
        SELECT FROM up WHERE up.id = NEW.id
    ) THEN
        SELECT c.slug INTO parent_slug FROM master.categories AS c WHERE c.id = NEW.parent_id;
        RAISE EXCEPTION 'category "%" cannot be inside "%": that category is inside it already', NEW.slug, parent_slug
            USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_loop_check',
                  HINT = 'A category''s parent must not be one of its own subcategories.';
    END IF;
    RETURN NEW;
END;
$$;

ALTER FUNCTION master.check_category_parent() OWNER TO strata_owner;

DROP TRIGGER IF EXISTS categories_check_parent ON master.categories;
CREATE TRIGGER categories_check_parent
    BEFORE INSERT OR UPDATE OF parent_id ON master.categories
    FOR EACH ROW EXECUTE FUNCTION master.check_category_parent();
