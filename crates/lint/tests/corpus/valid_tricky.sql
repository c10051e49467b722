-- Valid PostgreSQL that a naive parser gets wrong. Each statement here is accepted
-- by PostgreSQL 15; the linter must report no syntax error for any of it.
/* nested /* block */ comments are allowed */
CREATE TYPE app.item_status AS ENUM ('draft', 'active', 'archived');
ALTER TYPE app.item_status ADD VALUE IF NOT EXISTS 'deleted' AFTER 'archived';
CREATE TABLE IF NOT EXISTS app.measurements (
    id bigint GENERATED ALWAYS AS IDENTITY,
    taken_on date NOT NULL,
    celsius numeric(5, 2) NOT NULL,
    fahrenheit numeric(5, 2) GENERATED ALWAYS AS (celsius * 9 / 5 + 32) STORED,
    note text DEFAULT E'line one\nline two\t\'quoted\'',
    tags text[] NOT NULL DEFAULT '{}',
    payload jsonb,
    status app.item_status NOT NULL DEFAULT 'draft',
    PRIMARY KEY (id, taken_on)
) PARTITION BY RANGE (taken_on);
CREATE TABLE IF NOT EXISTS app.measurements_2025 PARTITION OF app.measurements
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE IF NOT EXISTS app.measurements_default PARTITION OF app.measurements DEFAULT;
CREATE INDEX CONCURRENTLY IF NOT EXISTS measurements_taken_on_idx
    ON app.measurements_2025 USING btree (taken_on DESC NULLS LAST) INCLUDE (celsius)
    WHERE celsius > -273.15;
ALTER TABLE app.measurements ENABLE ROW LEVEL SECURITY;
CREATE POLICY measurements_owner ON app.measurements AS PERMISSIVE FOR SELECT TO PUBLIC
    USING (current_setting('app.user_id', true) IS NOT NULL)
    ;
SELECT U&'\0041', $tag$ a $ dollar $$ inside $tag$, B'1010', X'ff', 1e-3, .5, 'it''s';
WITH RECURSIVE tree (id, parent_id, depth) AS (
    SELECT c.id, c.parent_id, 0 FROM master.categories AS c WHERE c.parent_id IS NULL
    UNION ALL
    SELECT c.id, c.parent_id, t.depth + 1 FROM master.categories c JOIN tree t ON c.parent_id = t.id
), counted AS MATERIALIZED (SELECT depth, count(*) AS n FROM tree GROUP BY depth)
SELECT depth, n, sum(n) OVER (ORDER BY depth ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
FROM counted ORDER BY 1;
CREATE OR REPLACE FUNCTION app.items_by_owner(p_owner uuid, p_limit integer DEFAULT 10)
RETURNS TABLE (item_id bigint, item_name text, total numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $fn$
DECLARE
    v_row record;
    v_count integer := 0;
    v_label text := 'items';
BEGIN
    <<outer>>
    FOR v_row IN SELECT i.id, i.name FROM app.items AS i WHERE i.user_id = p_owner LIMIT p_limit LOOP
        v_count := v_count + 1;
        item_id := v_row.id;
        item_name := v_row.name;
        total := v_count;
        RETURN NEXT;
    END LOOP outer;
    IF v_count = 0 THEN
        RAISE NOTICE '% has no %', p_owner, v_label USING HINT = 'create one';
    ELSIF v_count > 100 THEN
        RAISE EXCEPTION 'too many' USING ERRCODE = 'P0001';
    ELSE
        NULL;
    END IF;
    RETURN QUERY SELECT i.id, i.name, 0::numeric FROM app.items i WHERE false;
EXCEPTION
    WHEN unique_violation OR foreign_key_violation THEN
        GET STACKED DIAGNOSTICS v_label = MESSAGE_TEXT;
        RAISE;
END;
$fn$;
CREATE OR REPLACE FUNCTION app.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER items_touch BEFORE UPDATE ON app.items
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE FUNCTION app.add(a integer, b integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN a + b;
CREATE OR REPLACE FUNCTION app.sub(a integer, b integer) RETURNS integer
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
    SELECT a - b;
END;
CREATE OR REPLACE FUNCTION app.legacy(integer) RETURNS integer AS 'select $1 * 2' LANGUAGE sql;
DO $do$
DECLARE
    r record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'app_reader') THEN
        CREATE ROLE app_reader NOLOGIN;
    END IF;
    FOR r IN SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname IN ('auth', 'master', 'app') LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO app_reader', r.nspname);
    END LOOP;
    PERFORM pg_catalog.set_config('app.ready', 'yes', true);
    CASE WHEN random() > 0.5 THEN RAISE NOTICE 'heads'; ELSE RAISE NOTICE 'tails'; END CASE;
    WHILE false LOOP EXIT; END LOOP;
EXCEPTION WHEN duplicate_object THEN
    RAISE NOTICE 'exists';
END
$do$;
DO LANGUAGE plpgsql 'BEGIN RAISE NOTICE ''quoted body''; END';
COMMENT ON TABLE app.measurements IS 'Temperature readings; partitioned by year.';
COMMENT ON COLUMN app.measurements.celsius IS $$degrees "Celsius"$$;
GRANT SELECT, INSERT ON TABLE app.measurements TO app_reader;
GRANT USAGE ON SCHEMA app TO app_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;
INSERT INTO master.categories (id, name) VALUES (1, 'Books'), (2, 'Tools')
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name WHERE master.categories.name <> EXCLUDED.name;
INSERT INTO master.locations AS l (name) SELECT 'Oslo' WHERE NOT EXISTS (SELECT 1 FROM master.locations WHERE name = 'Oslo');
MERGE INTO app.items AS t USING app.items_staging AS s ON t.id = s.id
    WHEN MATCHED THEN UPDATE SET name = s.name
    WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name);
SELECT jsonb_path_query('{"a": [1, 2]}'::jsonb, '$.a[*] ? (@ > 1)'), 'a' COLLATE "C" < 'b';
SELECT * FROM ROWS FROM (generate_series(1, 3), unnest(ARRAY['a', 'b'])) AS t (n, s);
SELECT i.id FROM app.items AS i TABLESAMPLE SYSTEM (50) REPEATABLE (1);
SELECT count(*) FILTER (WHERE x > 1), percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM (VALUES (1), (2)) v (x);
SELECT (ARRAY[1, 2])[1], (ROW(1, 'a')).f1, interval '1 day' + now(), timestamp with time zone '2025-01-01 00:00+00';
CREATE MATERIALIZED VIEW IF NOT EXISTS app.item_counts AS SELECT user_id, count(*) FROM app.items GROUP BY user_id WITH NO DATA;
REFRESH MATERIALIZED VIEW app.item_counts;
CREATE UNIQUE INDEX IF NOT EXISTS item_counts_user ON app.item_counts (user_id);
REFRESH MATERIALIZED VIEW CONCURRENTLY app.item_counts;
CREATE SEQUENCE IF NOT EXISTS app.ticket_seq AS integer START WITH 100 INCREMENT BY 5 NO CYCLE OWNED BY NONE;
SELECT nextval('app.ticket_seq'::regclass);
CREATE DOMAIN app.email AS text CHECK (VALUE ~* '^[^@\s]+@[^@\s]+$');
ALTER TABLE app.items ADD COLUMN IF NOT EXISTS tags text[] DEFAULT ARRAY[]::text[];
ALTER TABLE app.items ALTER COLUMN name SET DATA TYPE varchar(255) USING name::varchar(255);
ALTER TABLE app.items DROP CONSTRAINT IF EXISTS items_price_check,
    ADD CONSTRAINT items_price_check CHECK (price_cents >= 0) NOT VALID;
ALTER TABLE app.items VALIDATE CONSTRAINT items_price_check;
CREATE UNIQUE INDEX IF NOT EXISTS items_lower_name ON app.items (lower(name)) NULLS NOT DISTINCT;
SET LOCAL statement_timeout = '5s';
SELECT pg_catalog.pg_advisory_xact_lock(42);
