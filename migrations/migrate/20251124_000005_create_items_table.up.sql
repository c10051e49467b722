-- The application's listings. Owned by a user (deleted with them), optionally filed
-- under a category and a location from master.
CREATE TABLE IF NOT EXISTS app.items (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL,
    category_id uuid,
    location_id uuid,
    name        text        NOT NULL,
    description text,
    price_cents bigint,
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT items_pkey PRIMARY KEY (id),
    CONSTRAINT items_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth."user" (id) ON DELETE CASCADE,
    CONSTRAINT items_category_id_fkey FOREIGN KEY (category_id) REFERENCES master.categories (id) ON DELETE RESTRICT,
    CONSTRAINT items_location_id_fkey FOREIGN KEY (location_id) REFERENCES master.locations (id) ON DELETE RESTRICT,
    CONSTRAINT items_name_check CHECK (char_length(name) BETWEEN 1 AND 255),
    CONSTRAINT items_description_check CHECK (char_length(description) <= 5000),
    CONSTRAINT items_price_cents_check CHECK (price_cents BETWEEN 0 AND 9007199254740991)
);

-- The list is newest first with keyset pagination on (created_at, id); each filter
-- that narrows by a foreign key gets the same order behind its column, which also
-- serves the foreign key's cascade and restrict checks.
CREATE INDEX IF NOT EXISTS items_created_at_id_idx ON app.items (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS items_user_id_created_at_id_idx ON app.items (user_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS items_category_id_created_at_id_idx ON app.items (category_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS items_location_id_created_at_id_idx ON app.items (location_id, created_at DESC, id DESC);

-- Timestamps are kept by the database: created_at never changes, updated_at follows
-- every update. Inserts keep given values so seeds can backdate their rows.
CREATE OR REPLACE FUNCTION app.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS items_touch_updated_at ON app.items;
CREATE TRIGGER items_touch_updated_at
    BEFORE UPDATE ON app.items
    FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
