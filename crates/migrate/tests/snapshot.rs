//! `verify` and its incremental snapshot against a real PostgreSQL: what a step
//! changes outside the file's own relations is still seen, and values a default
//! computes at insert time are no false alarm while values a file writes count.

use strata_migrate::verify::{self, Broken, Outcome};
use strata_migrate::{MigrationSet, Options};
use strata_testing::{MigrationDir, TestDb};

/// A project with schema `app` and table `app.a` (with an index and a function),
/// plus the given migrate-track file as `20251124_000009_step`.
fn project(up: &str, down: &str) -> MigrationDir {
    let dir = MigrationDir::with_app_schema();
    dir.write(
        "migrate",
        "20251124_000001_a",
        "CREATE TABLE IF NOT EXISTS app.a (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL UNIQUE,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n\
         CREATE INDEX IF NOT EXISTS a_name ON app.a (name);\n\
         CREATE OR REPLACE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "DROP FUNCTION IF EXISTS app.f();\nDROP TABLE IF EXISTS app.a;\n",
    );
    dir.write("migrate", "20251124_000009_step", up, down);
    dir
}

async fn verify_dir(dir: &MigrationDir) -> Outcome {
    let db = TestDb::new();
    let mut conn = db.connect().await;
    let set = MigrationSet::load(dir.path()).unwrap();
    verify::verify(&mut conn, &set, &Options::default(), &mut ()).await.unwrap()
}

/// Every problem found, rendered, one after the other.
fn text(outcome: &Outcome) -> String {
    outcome.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Asserts that a problem of the file whose path ends with `file` (`""`: of any
/// file) is `what`, showing every problem when none is.
fn assert_found(outcome: &Outcome, file: &str, what: impl Fn(&Broken) -> bool) {
    assert!(outcome.problems.iter().any(|p| p.file.ends_with(file) && what(&p.what)), "{}", text(outcome));
}

const NEW_TABLE: &str = "CREATE TABLE IF NOT EXISTS app.c (id int);\n";
const DROP_NEW_TABLE: &str = "DROP TABLE IF EXISTS app.c;\n";

/// A step that creates `app.c` and also runs `elsewhere`, while its down drops
/// `app.c` only: the one problem found is that the down does not restore, and
/// its rendering holds every line of `expected`.
async fn down_leaves(elsewhere: &str, expected: &[&str]) {
    let dir = project(&format!("{NEW_TABLE}{elsewhere}"), DROP_NEW_TABLE);
    let outcome = verify_dir(&dir).await;
    assert_eq!(outcome.problems.len(), 1, "{:#?}", outcome.problems);
    let p = &outcome.problems[0];
    assert!(matches!(p.what, Broken::DownDoesNotRestore { .. }), "{p}");
    assert!(p.file.ends_with("20251124_000009_step.down.sql"), "{p}");
    let p = p.to_string();
    for line in expected {
        assert!(p.contains(line), "{line:?} in {p}");
    }
}

#[tokio::test]
async fn a_grant_on_another_table_left_by_the_down_is_found() {
    down_leaves("GRANT SELECT ON app.a TO PUBLIC;\n", &["+ table app.a acl"]).await;
}

#[tokio::test]
async fn a_function_elsewhere_replaced_and_not_restored_is_found() {
    down_leaves(
        "CREATE OR REPLACE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n",
        &["- function app.f() md5", "+ function app.f() md5"],
    )
    .await;
}

#[tokio::test]
async fn a_default_privilege_left_by_the_down_is_found() {
    let dir = project(
        &format!("{NEW_TABLE}ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;\n"),
        DROP_NEW_TABLE,
    );
    let outcome = verify_dir(&dir).await;
    assert_found(&outcome, "", |b| {
        matches!(b, Broken::DownDoesNotRestore { diff }
            if diff.extra.iter().any(|l| l.starts_with("default privileges ") && l.contains(" in app r ")))
    });
    // Left in place, the default privilege also changes what the next up creates.
    let text = text(&outcome);
    assert!(text.contains("+ table app.c acl"), "{text}");
}

#[tokio::test]
async fn an_index_elsewhere_dropped_and_not_restored_is_found() {
    down_leaves("DROP INDEX IF EXISTS app.a_name;\n", &["- index CREATE INDEX a_name ON app.a USING btree (name)"])
        .await;
}

#[tokio::test]
async fn a_column_default_dropped_elsewhere_and_not_restored_is_found() {
    down_leaves(
        "ALTER TABLE app.a ALTER COLUMN created_at DROP DEFAULT;\n",
        &["- column app.a.created_at: timestamp with time zone not null default now()"],
    )
    .await;
}

#[tokio::test]
async fn a_constraint_and_a_trigger_elsewhere_are_found() {
    let dir = project(
        "ALTER TABLE app.a DROP CONSTRAINT IF EXISTS a_name_short;\n\
         ALTER TABLE app.a ADD CONSTRAINT a_name_short CHECK (length(name) < 100) NOT VALID;\n\
         CREATE OR REPLACE FUNCTION app.tg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n\
         CREATE OR REPLACE TRIGGER a_tg BEFORE INSERT ON app.a FOR EACH ROW EXECUTE FUNCTION app.tg();\n",
        "DROP FUNCTION IF EXISTS app.tg() CASCADE;\n",
    );
    let text = text(&verify_dir(&dir).await);
    assert!(text.contains("+ constraint app.a a_name_short: CHECK ((length(name) < 100)) NOT VALID"), "{text}");
    assert!(!text.contains("a_tg"), "the trigger went with its function: {text}");
}

#[tokio::test]
async fn seeds_with_insert_time_defaults_verify_clean_and_name_the_loose_columns() {
    // Regression: every seed failed "up again gives a different database"
    // because its rows' created_at came from now() at another moment.
    let dir = project("SELECT 1;\n", "SELECT 1;\n");
    for i in 1..=3 {
        dir.write(
            "seed",
            &format!("20251124_00000{i}_rows"),
            &format!("INSERT INTO app.a (name) VALUES ('s{i}a'), ('s{i}b') ON CONFLICT DO NOTHING;\n"),
            &format!("DELETE FROM app.a WHERE name IN ('s{i}a', 's{i}b');\n"),
        );
    }
    let outcome = verify_dir(&dir).await;
    assert!(outcome.problems.is_empty(), "{}", text(&outcome));
    let loose: Vec<&str> = outcome.loose.iter().map(String::as_str).collect();
    assert_eq!(loose, ["app.a.created_at", "app.a.id"]);
}

#[tokio::test]
async fn a_value_the_file_writes_into_a_defaulted_column_still_counts() {
    let dir = project("SELECT 1;\n", "SELECT 1;\n");
    // Written by the file, different on each run: not the default's value.
    dir.write(
        "seed",
        "20251124_000001_rows",
        "INSERT INTO app.a (name, created_at) VALUES ('x', clock_timestamp() - interval '1 hour');\n",
        "DELETE FROM app.a WHERE name = 'x';\n",
    );
    // Written by the file over a row it did not insert, and not put back.
    dir.write_up("seed", "20251124_000002_touch", "UPDATE app.a SET created_at = '2020-01-01' WHERE name = 'x';\n");
    let outcome = verify_dir(&dir).await;
    assert_found(&outcome, "000001_rows.up.sql", |b| matches!(b, Broken::UpNotRepeatable { .. }));
    assert_found(&outcome, "000002_touch.down.sql", |b| matches!(b, Broken::DownDoesNotRestore { .. }));
}

#[tokio::test]
async fn an_identity_value_the_file_sets_counts() {
    let dir = project("SELECT 1;\n", "SELECT 1;\n");
    dir.write(
        "seed",
        "20251124_000001_rows",
        "INSERT INTO app.a (id, name) OVERRIDING SYSTEM VALUE VALUES ((SELECT coalesce(max(id), 0) + 1000 FROM app.a WHERE name = 'gone'), 'y'), ((extract(epoch FROM clock_timestamp()) * 1000000)::bigint % 1000000000, 'z');\n",
        "DELETE FROM app.a WHERE name IN ('y', 'z');\n",
    );
    assert_found(&verify_dir(&dir).await, "", |b| matches!(b, Broken::UpNotRepeatable { .. }));
}

#[tokio::test]
async fn a_rerun_that_changes_the_database_is_found() {
    let dir = project(
        "INSERT INTO app.a (name) VALUES ('again') ON CONFLICT (name) DO UPDATE SET name = app.a.name || '!';\n",
        "DELETE FROM app.a WHERE name LIKE 'again%';\n",
    );
    assert_found(&verify_dir(&dir).await, "", |b| matches!(b, Broken::NotIdempotentChange { .. }));
}

#[tokio::test]
async fn a_column_change_elsewhere_that_writes_only_its_attribute_is_found() {
    // DROP NOT NULL and a column grant write pg_attribute alone, not the table's pg_class row.
    down_leaves(
        "ALTER TABLE app.a ALTER COLUMN name DROP NOT NULL;\nGRANT SELECT (created_at) ON app.a TO PUBLIC;\n",
        &[
            "- column app.a.name: text not null",
            "+ column app.a.name: text\n",
            "+ column app.a.created_at: timestamp with time zone not null default now() acl {",
        ],
    )
    .await;
}
