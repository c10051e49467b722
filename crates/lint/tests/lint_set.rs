//! Linting whole migration directories: the set-level rules, the schema list
//! read from the create_schemas migration, configuration, and every format.

use std::fs;
use std::path::Path;

use insta::assert_snapshot;
use strata_lint::{Config, Format, lint_set, render};

/// Writes `files` (path relative to the migrations folder, text) into a temporary
/// directory and lints it; paths in the output are relative to it.
fn lint(files: &[(&str, &str)], config: &Config, format: Format) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let scan = strata_migrate::source::scan(dir.path());
    let mut report = lint_set(&scan, config);
    // paths relative to the temporary folder, so snapshots are stable
    for f in &mut report.findings {
        f.path = f.path.strip_prefix(dir.path()).unwrap().to_owned();
    }
    let mut relative = strata_lint::Report::new();
    relative.files_checked = report.files_checked;
    for path in report.findings.iter().map(|f| f.path.clone()).collect::<std::collections::BTreeSet<_>>() {
        let findings: Vec<_> = report.findings.iter().filter(|f| f.path == path).cloned().collect();
        let text = fs::read_to_string(dir.path().join(&path)).unwrap_or_default();
        relative.add_file(&path, &text, findings);
    }
    relative.files_checked = report.files_checked;
    render(&relative, format, false)
}

const CREATE_SCHEMAS: (&str, &str) = (
    "migrate/20251124_000000_create_schemas.up.sql",
    "CREATE SCHEMA IF NOT EXISTS auth;\nCREATE SCHEMA IF NOT EXISTS app;\n",
);
const DROP_SCHEMAS: (&str, &str) = (
    "migrate/20251124_000000_create_schemas.down.sql",
    "DROP SCHEMA IF EXISTS app CASCADE;\nDROP SCHEMA IF EXISTS auth CASCADE;\n",
);

fn messy_set() -> Vec<(&'static str, &'static str)> {
    vec![
        CREATE_SCHEMAS,
        DROP_SCHEMAS,
        (
            "migrate/20251124_000001_items.up.sql",
            "CREATE TABLE IF NOT EXISTS app.items (id bigint);\nCREATE TABLE IF NOT EXISTS master.categories (id bigint);\n",
        ),
        ("migrate/20251124_000001_items.down.sql", "DROP TABLE app.items;\n"),
        ("migrate/20251124_000001_other.up.sql", "SELECT 1;\n"),
        ("migrate/20251124_000002_users.up.sql", "SELECT 1;\n"),
        ("migrate/2025_bad.up.sql", "SELECT 1;\n"),
        ("seed/20251124_000001_demo.up.sql", "INSERT INTO app.items (id) VALUES (1);\n"),
        ("seed/20251124_000001_demo.down.sql", "DELETE FROM app.items WHERE id = 1;\n"),
    ]
}

#[test]
fn reports_every_problem_of_a_set() {
    assert_snapshot!(lint(&messy_set(), &Config::default(), Format::Text));
}

#[test]
fn disabled_rules_are_not_reported() {
    let config = Config { disable: vec!["non-idempotent".into(), "missing-pair".into()], schemas: None };
    assert_snapshot!(lint(&messy_set(), &config, Format::Text));
}

#[test]
fn configured_schemas_override_create_schemas() {
    let config = Config { disable: vec![], schemas: Some(vec!["auth".into(), "app".into(), "master".into()]) };
    let files = [
        CREATE_SCHEMAS,
        DROP_SCHEMAS,
        ("migrate/20251124_000001_x.up.sql", "SELECT * FROM master.categories;\n"),
        ("migrate/20251124_000001_x.down.sql", ""),
    ];
    assert_snapshot!(lint(&files, &config, Format::Text));
}

#[test]
fn first_migration_must_create_the_schemas() {
    let files = [
        ("migrate/20251124_000001_items.up.sql", "CREATE TABLE IF NOT EXISTS app.items (id bigint);\n"),
        ("migrate/20251124_000001_items.down.sql", "DROP TABLE IF EXISTS app.items;\n"),
        ("migrate/20251124_000002_create_schemas.up.sql", "CREATE SCHEMA IF NOT EXISTS app;\n"),
        ("migrate/20251124_000002_create_schemas.down.sql", "DROP SCHEMA IF EXISTS app;\n"),
    ];
    assert_snapshot!(lint(&files, &Config::default(), Format::Text));
}

#[test]
fn a_clean_set_passes() {
    let files = [CREATE_SCHEMAS, DROP_SCHEMAS];
    assert_snapshot!(lint(&files, &Config::default(), Format::Text));
}

#[test]
fn formats() {
    let files = [
        CREATE_SCHEMAS,
        DROP_SCHEMAS,
        (
            "migrate/20251124_000001_items.up.sql",
            "-- strata:ignore-file dynamic-sql\nCREATE TABLE items (id bigint);\n",
        ),
        ("migrate/20251124_000002_lonely.up.sql", "SELECT 1;\n"),
    ];
    assert_snapshot!("json", lint(&files, &Config::default(), Format::Json));
    assert_snapshot!("github", lint(&files, &Config::default(), Format::Github));
    assert_snapshot!("sarif", lint(&files, &Config::default(), Format::Sarif));
}

/// The repository's own migrations must lint clean (the definition of done).
#[test]
fn the_repository_migrations_lint_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let scan = strata_migrate::source::scan(&dir);
    let report = lint_set(&scan, &Config::default());
    assert!(report.files_checked > 0);
    assert!(report.findings.is_empty(), "{}", render(&report, Format::Text, false));
}
