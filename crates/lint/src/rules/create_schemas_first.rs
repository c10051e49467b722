//! `create-schemas-first`: the first migration of the `migrate` track is
//! `..._create_schemas`, and it alone creates schemas.
//!
//! The schemas it creates are the project's schemas: `unknown-schema` checks every
//! later reference against them.

use squawk_syntax::{SyntaxKind, SyntaxNode};
use strata_migrate::create_schemas::DESCRIPTION;
use strata_migrate::source::MigrationSet;

use crate::check::{Check, whole_file};
use crate::finding::{Finding, Severity};
use crate::names::simple_name;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "create-schemas-first",
    severity: Severity::Error,
    summary: "The first migrate migration is <version>_create_schemas and is the only one that creates schemas.",
};

/// The set-level half: the first migration's name.
pub(crate) fn check_set(set: &MigrationSet) -> Option<Finding> {
    let first = set.migrate.first()?;
    if first.description == DESCRIPTION {
        return None;
    }
    let later = set.migrate.iter().find(|m| m.description == DESCRIPTION);
    let (message, help) = match later {
        Some(m) => (
            format!("`{}` must be the first migration, but `{}` comes before it", m.name(), first.name()),
            format!("give `{}` a version earlier than {}", m.name(), first.version),
        ),
        None => (
            format!("the first migration is `{}`, not a `{DESCRIPTION}` migration", first.name()),
            format!(
                "add `<version>_{DESCRIPTION}.up.sql` (with its .down.sql) before it, with `CREATE SCHEMA IF NOT EXISTS ...;` for every schema"
            ),
        ),
    };
    Some(whole_file(&first.up.path, &RULE, message, Some(help)))
}

fn schema_name(create: &SyntaxNode) -> Option<String> {
    let named = create.children().find(|c| c.kind() == SyntaxKind::NAMED_SCHEMA)?;
    let schema = named.children().find(|c| c.kind() == SyntaxKind::SCHEMA)?;
    Some(simple_name(&schema))
}

/// The file-level half: `CREATE SCHEMA` outside the create_schemas migration.
pub(crate) fn check(cx: &mut Check<'_>) {
    if cx.ctx.create_schemas {
        return;
    }
    for (unit, u) in cx.file.units.iter().enumerate() {
        for node in u.root.descendants().filter(|n| n.kind() == SyntaxKind::CREATE_SCHEMA) {
            let name = schema_name(&node).unwrap_or_default();
            cx.report(
                &RULE,
                unit,
                node.text_range(),
                format!("schema `{name}` is created outside the {DESCRIPTION} migration"),
                Some(format!("move `CREATE SCHEMA IF NOT EXISTS {name};` into the first migration, `<version>_{DESCRIPTION}.up.sql`")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::set_facts::SetFacts;
    use crate::test_support::{check, check_with, context};

    #[test]
    fn finds_schemas_created_in_later_migrations() {
        assert_snapshot!(check(super::RULE.id, "CREATE SCHEMA IF NOT EXISTS billing;\n"));
    }

    #[test]
    fn accepts_schemas_in_the_create_schemas_migration() {
        let ctx = SetFacts { create_schemas: true, ..context() };
        assert_snapshot!(check_with(
            super::RULE.id,
            "CREATE SCHEMA IF NOT EXISTS auth;\nCREATE SCHEMA IF NOT EXISTS app;\n",
            &ctx
        ));
    }

    #[test]
    fn reads_the_created_schemas() {
        let sql =
            "-- why\nCREATE SCHEMA IF NOT EXISTS auth;\ncreate schema if not exists \"Master\";\nCREATE SCHEMA app;\n";
        // The linter reads the project's schemas where every crate does.
        assert_eq!(strata_migrate::create_schemas::created_schemas(sql), ["auth", "Master", "app"]);
    }
}
