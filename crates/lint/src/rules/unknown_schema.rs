//! `unknown-schema`: every schema a file names is one the create_schemas
//! migration creates (or `[migrations] schemas` lists).
//!
//! `pg_catalog` and `information_schema` are always known. `public` holds the
//! migration history only: no relation of the project goes there, though types and
//! functions of an extension installed in `public` may be used, and privileges on
//! `public` itself may be granted or revoked.

use squawk_syntax::SyntaxKind;

use crate::check::Check;
use crate::finding::Severity;
use crate::names::simple_name;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "unknown-schema",
    severity: Severity::Error,
    summary: "Every schema used is created by the create_schemas migration; public is reserved for migration tracking.",
};

const SYSTEM: &[&str] = &["pg_catalog", "information_schema", "pg_toast"];

pub(crate) fn check(cx: &mut Check<'_>) {
    let Some(schemas) = cx.ctx.schemas.clone() else { return };
    let known = |s: &str| schemas.iter().any(|k| k == s) || SYSTEM.contains(&s);
    let list = schemas.join(", ");
    let help =
        format!("the project's schemas are {list}; add a schema to the create_schemas migration before using it");
    for unit in 0..cx.file.units.len() {
        let mut found = vec![];
        for r in &cx.refs[unit] {
            let Some(schema) = r.schema() else { continue };
            if known(schema) || (schema == "public" && !r.defines && !r.kind.is_relation()) {
                continue;
            }
            let what = r.kind.as_str();
            let message = if schema == "public" {
                format!("{what} `{}` is in schema public, which is reserved for migration tracking", r.name.display())
            } else {
                format!(
                    "{what} `{}` is in schema `{schema}`, which the create_schemas migration does not create",
                    r.name.display()
                )
            };
            found.push((r.range(), message, schema == "public"));
        }
        for node in cx.file.units[unit].root.descendants().filter(|n| n.kind() == SyntaxKind::SCHEMA_REF) {
            let schema = simple_name(&node);
            // GRANT/REVOKE on public itself, extensions installed there: allowed
            if known(&schema) || schema == "public" {
                continue;
            }
            found.push((
                node.text_range(),
                format!("schema `{schema}` is not created by the create_schemas migration"),
                false,
            ));
        }
        for (range, message, public) in found {
            let help = if public { format!("put it in one of the project's schemas: {list}") } else { help.clone() };
            cx.report(&RULE, unit, range, message, Some(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::set_facts::SetFacts;
    use crate::test_support::{check, check_with};

    #[test]
    fn finds_schemas_the_set_does_not_create() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"CREATE TABLE IF NOT EXISTS sales.orders (id bigint);
CREATE TABLE IF NOT EXISTS public.notes (id bigint);
SELECT * FROM public.migration_history;
CREATE OR REPLACE FUNCTION billing.total() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
ALTER TABLE app.items ADD COLUMN IF NOT EXISTS price billing.money_amount;
GRANT USAGE ON SCHEMA sales TO app_reader;
"#
        ));
    }

    #[test]
    fn accepts_project_system_and_extension_schemas() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"CREATE TABLE IF NOT EXISTS app.items (id bigint, email public.citext, owner uuid REFERENCES auth."user" (id));
SELECT * FROM master.categories, pg_catalog.pg_class, information_schema.tables;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA app TO app_reader;
"#
        ));
    }

    #[test]
    fn is_skipped_when_the_schemas_are_unknown() {
        assert_snapshot!(check_with(
            super::RULE.id,
            "CREATE TABLE IF NOT EXISTS sales.orders (id bigint);\n",
            &SetFacts::default()
        ));
    }
}
