-- Item categories: a tree (parent_id), addressed by a unique slug, ordered by sort_order
-- among siblings.
CREATE TABLE IF NOT EXISTS master.categories (
    id         uuid    NOT NULL DEFAULT gen_random_uuid(),
    parent_id  uuid,
    slug       text    NOT NULL,
    name       text    NOT NULL,
    sort_order integer NOT NULL DEFAULT 0,
    CONSTRAINT categories_pkey PRIMARY KEY (id),
    CONSTRAINT categories_slug_key UNIQUE (slug),
    CONSTRAINT categories_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES master.categories (id) ON DELETE RESTRICT,
    CONSTRAINT categories_parent_check CHECK (parent_id <> id),
    CONSTRAINT categories_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT categories_name_check CHECK (char_length(name) BETWEEN 1 AND 100)
);

-- Walking the tree downwards (the items filter includes subcategories).
CREATE INDEX IF NOT EXISTS categories_parent_id_idx ON master.categories (parent_id);
