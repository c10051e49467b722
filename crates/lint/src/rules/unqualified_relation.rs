//! `unqualified-relation`: every object a migration creates or uses is named with
//! its schema — `auth.user`, never `user`.
//!
//! Unqualified names resolve through `search_path`, which differs between the
//! migration runner, the application and a psql session, so the same file could
//! touch different objects. Checked: tables, views, sequences, indexes, types,
//! domains, functions and procedures, wherever they are named — DDL targets,
//! `REFERENCES`, `CREATE INDEX ... ON`, DML targets, `FROM`/`JOIN`, triggers and
//! the functions they execute, `COMMENT ON`, `GRANT ... ON`, `nextval('seq')`,
//! `'t'::regclass`, and the SQL inside PL/pgSQL and SQL function bodies.
//! Not relations: CTE names, aliases, trigger transition tables, `pg_catalog`
//! relations and types, index names in `CREATE INDEX` (an index lives in its
//! table's schema).

use crate::check::Check;
use crate::finding::Severity;
use crate::references::ObjectKind;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "unqualified-relation",
    severity: Severity::Error,
    summary: "Every relation, type and function is schema-qualified (auth.user, never user).",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    let schemas = cx
        .ctx
        .schemas
        .as_ref()
        .filter(|s| !s.is_empty())
        .map(|s| format!(" (the project's schemas: {})", s.join(", ")));
    let schemas = schemas.unwrap_or_default();
    for unit in 0..cx.file.units.len() {
        let found: Vec<_> = cx.refs[unit]
            .iter()
            .filter(|r| !r.is_qualified())
            .map(|r| {
                let what = r.kind.as_str();
                let name = r.name.display();
                let message = match r.kind {
                    ObjectKind::Column => format!("column `{name}` is not schema-qualified"),
                    _ if r.defines => format!("{what} `{name}` is created without a schema"),
                    _ => format!("{what} `{name}` is not schema-qualified"),
                };
                let help = match r.kind {
                    ObjectKind::Column => format!("write `<schema>.{name}`{schemas}"),
                    _ if r.literal.is_some() => {
                        format!("write the schema inside the string: '<schema>.{name}'{schemas}")
                    }
                    _ => format!("write `<schema>.{name}`{schemas}"),
                };
                (r.range(), message, help)
            })
            .collect();
        for (range, message, help) in found {
            cx.report(&RULE, unit, range, message, Some(help));
        }
    }
}

/// The message for a bare call of a function the project defines.
pub(crate) fn bare_call_message(name: &str) -> String {
    format!("function `{name}` is not schema-qualified")
}

pub(crate) fn bare_call_help(name: &str, schema: &str) -> String {
    format!("the project defines it in schema {schema}: write `{schema}.{name}(...)`")
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_unqualified_names_everywhere_they_occur() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"CREATE TABLE IF NOT EXISTS items (id bigint, owner uuid REFERENCES "user" (id));
CREATE INDEX IF NOT EXISTS items_owner ON items (owner);
INSERT INTO items (id) VALUES (1) ON CONFLICT DO NOTHING;
UPDATE items SET id = 2 FROM app.other o WHERE o.id = items.id;
DELETE FROM items WHERE id = 0;
SELECT * FROM app.items i JOIN categories c ON c.id = i.category_id;
CREATE OR REPLACE TRIGGER touch BEFORE UPDATE ON app.items FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TABLE items IS 'listings';
COMMENT ON COLUMN items.name IS 'shown in lists';
GRANT SELECT ON items TO app_reader;
CREATE OR REPLACE VIEW item_names AS SELECT name FROM app.items;
CREATE SEQUENCE IF NOT EXISTS ticket_seq;
SELECT nextval('ticket_seq'), 'items'::regclass;
ALTER TABLE app.items ADD COLUMN IF NOT EXISTS status item_status;
DROP INDEX IF EXISTS items_owner;
CREATE OR REPLACE FUNCTION app.count_items() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM items);
END
$$;
CREATE OR REPLACE FUNCTION app.first_item() RETURNS bigint LANGUAGE sql AS $$ SELECT min(id) FROM items $$;
SELECT count_items();
"#
        ));
    }

    #[test]
    fn ignores_ctes_aliases_catalogs_and_builtins() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"WITH recent AS (SELECT * FROM app.items) SELECT * FROM recent r;
WITH RECURSIVE tree AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM tree WHERE n < 3) SELECT * FROM tree;
SELECT i.name FROM app.items AS i JOIN master.categories c ON c.id = i.category_id FOR UPDATE OF i;
SELECT relname FROM pg_class;
SELECT * FROM pg_catalog.pg_namespace n, information_schema.tables t;
CREATE INDEX IF NOT EXISTS items_name ON app.items (name);
CREATE TABLE IF NOT EXISTS app.t (a text, b timestamptz, c numeric(10, 2), d int[], e double precision, f app.mood, g jsonb, h varchar(3));
CREATE OR REPLACE TRIGGER audit AFTER INSERT ON app.items REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.audit();
CREATE OR REPLACE FUNCTION app.audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    r record;
BEGIN
    SELECT count(*) INTO n FROM new_rows;
    FOR r IN SELECT * FROM app.items LOOP
        NULL;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER dedupe BEFORE UPDATE ON app.items FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
SELECT nextval('app.ticket_seq'), 'app.items'::regclass, now(), gen_random_uuid(), 'x'::text;
UPDATE app.items AS i SET name = 'x' WHERE i.id = 1;
INSERT INTO app.items AS i (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = i.id;
"#
        ));
    }
}
