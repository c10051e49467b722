//! `strata drift` end to end on real PostgreSQL: one test per kind of drift,
//! the clean case, edited files and the schema filter.

mod common;

use common::{Project, assert_contains};

/// A project whose files make app.t (a check constraint, an index, a trigger
/// and its function), applied.
fn applied() -> Project {
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000001_t",
        "CREATE TABLE IF NOT EXISTS app.t (id int PRIMARY KEY, name text CONSTRAINT t_name_check CHECK (name <> ''));\n\
         CREATE INDEX IF NOT EXISTS t_name ON app.t (name);\n\
         CREATE OR REPLACE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n\
         CREATE OR REPLACE TRIGGER t_tg BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();\n",
        "DROP TABLE IF EXISTS app.t;\nDROP FUNCTION IF EXISTS app.f();\n",
    );
    p.strata().args(["migrate", "up"]).assert().success();
    p
}

/// `strata drift args` after `by_hand` ran on the database: asserts its exit status,
/// that its output (stdout, then stderr) names each of `named`, and that its scratch
/// database is gone; returns the output.
fn drift_after(by_hand: &str, args: &[&str], code: i32, named: &[&str]) -> String {
    let p = applied();
    if !by_hand.is_empty() {
        p.psql(by_hand);
    }
    let out = p.run(&[&["drift"][..], args].concat()).code(code);
    p.assert_scratch_dropped(&out.stderr);
    let text = out.text();
    assert_contains(&text, named);
    text
}

#[test]
fn a_database_its_files_made_has_no_drift() {
    drift_after("", &[], 0, &["No drift: 2 applied file(s) replayed; schemas app match."]);
}

/// One test per kind of drift made by hand: `name: by_hand => what the report names`.
macro_rules! drift_kinds {
    ($($name:ident: $by_hand:expr => [$($named:expr),+ $(,)?];)+) => {$(
        #[test]
        fn $name() {
            drift_after($by_hand, &[], 3, &[$($named),+]);
        }
    )+};
}

drift_kinds! {
    a_column_added_by_hand_is_drift: "ALTER TABLE app.t ADD COLUMN extra int" =>
        ["schema app:\n  + column app.t.extra (in the database, not in the files)"];
    a_dropped_index_is_drift: "DROP INDEX app.t_name" =>
        ["  - index t_name on app.t (in the files, not in the database)"];
    a_function_body_changed_is_drift:
        "CREATE OR REPLACE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.name := lower(NEW.name); RETURN NEW; END'" =>
        ["  ~ function app.f() (defined differently)"];
    a_grant_given_is_drift: "GRANT SELECT ON app.t TO PUBLIC" =>
        ["  ~ table app.t (defined differently)", "database: table app.t acl {"];
    a_constraint_made_not_valid_is_drift:
        "ALTER TABLE app.t DROP CONSTRAINT t_name_check; ALTER TABLE app.t ADD CONSTRAINT t_name_check CHECK (name <> '') NOT VALID" =>
        ["  ~ constraint app.t t_name_check (defined differently)", "NOT VALID"];
    a_disabled_trigger_is_drift: "ALTER TABLE app.t DISABLE TRIGGER t_tg" =>
        ["  ~ trigger t_tg on app.t (defined differently)", "(disabled)"];
}

#[test]
fn an_extra_table_is_drift_in_every_format() {
    let by_hand = "CREATE TABLE app.extra (id int)";
    let named = ["  + table app.extra (in the database, not in the files)", "  + column app.extra.id"];
    drift_after(by_hand, &[], 3, &named);
    let out = drift_after(by_hand, &["--format", "json"], 3, &[]);
    let json: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(json["clean"], false);
    assert_eq!(json["report"]["schemas"][0]["schema"], "app");
    assert!(
        json["report"]["schemas"][0]["objects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["object"] == "table app.extra" && o["change"] == "extra")
    );
    let named = ["### schema `app`", "| `table app.extra` | in the database, not in the files |"];
    drift_after(by_hand, &["--format", "markdown"], 3, &named);
}

#[test]
fn objects_outside_the_project_schemas_are_ignored_unless_asked() {
    drift_after("CREATE TABLE public.elsewhere (id int)", &[], 0, &[]);
    let named = ["schema public:\n", "  + table public.elsewhere (in the database, not in the files)"];
    drift_after("CREATE TABLE public.elsewhere (id int)", &["--all-schemas"], 3, &named);
}

#[test]
fn an_applied_file_edited_since_is_reported_not_replayed() {
    let p = applied();
    // The edit adds a column: replayed from the edited text, it would show as drift of another kind.
    p.write(
        "migrate",
        "20251124_000001_t",
        "CREATE TABLE IF NOT EXISTS app.t (id int PRIMARY KEY, name text, more text);\n",
        "DROP TABLE IF EXISTS app.t;\n",
    );
    let text = p.run(&["drift"]).code(3).stdout;
    assert!(text.contains("migrate 20251124_000001_t: edited since it was applied (not replayed)"), "{text}");
    assert!(!text.contains("app.t.more"), "{text}");
}
