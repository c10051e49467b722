//! `strata drift` end to end on real PostgreSQL: one test per kind of drift,
//! the clean case, edited files and the schema filter.

mod common;

use common::Project;

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

/// Exit status and stdout of `strata drift` after `by_hand` ran on the database.
fn drift_after(by_hand: &str, args: &[&str]) -> (i32, String) {
    let p = applied();
    if !by_hand.is_empty() {
        p.psql(by_hand);
    }
    let out = p.strata().arg("drift").args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // The scratch database is gone (other tests' may exist: the cluster is shared).
    let scratch = stderr.split("scratch database ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap();
    assert_eq!(p.psql(&format!("SELECT count(*) FROM pg_database WHERE datname = '{scratch}'")), "0", "{stderr}");
    (out.status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

#[test]
fn a_database_its_files_made_has_no_drift() {
    let (code, out) = drift_after("", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No drift: 2 applied file(s) replayed; schemas app match."), "{out}");
}

#[test]
fn a_column_added_by_hand_is_drift() {
    let (code, out) = drift_after("ALTER TABLE app.t ADD COLUMN extra int", &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("schema app:\n  + column app.t.extra (in the database, not in the files)"), "{out}");
}

#[test]
fn a_dropped_index_is_drift() {
    let (code, out) = drift_after("DROP INDEX app.t_name", &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  - index t_name on app.t (in the files, not in the database)"), "{out}");
}

#[test]
fn a_function_body_changed_is_drift() {
    let (code, out) = drift_after(
        "CREATE OR REPLACE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.name := lower(NEW.name); RETURN NEW; END'",
        &[],
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  ~ function app.f() (defined differently)"), "{out}");
}

#[test]
fn a_grant_given_is_drift() {
    let (code, out) = drift_after("GRANT SELECT ON app.t TO PUBLIC", &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  ~ table app.t (defined differently)"), "{out}");
    assert!(out.contains("database: table app.t acl {"), "{out}");
}

#[test]
fn a_constraint_made_not_valid_is_drift() {
    let (code, out) = drift_after(
        "ALTER TABLE app.t DROP CONSTRAINT t_name_check; ALTER TABLE app.t ADD CONSTRAINT t_name_check CHECK (name <> '') NOT VALID",
        &[],
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  ~ constraint app.t t_name_check (defined differently)"), "{out}");
    assert!(out.contains("NOT VALID"), "{out}");
}

#[test]
fn a_disabled_trigger_is_drift() {
    let (code, out) = drift_after("ALTER TABLE app.t DISABLE TRIGGER t_tg", &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  ~ trigger t_tg on app.t (defined differently)"), "{out}");
    assert!(out.contains("(disabled)"), "{out}");
}

#[test]
fn an_extra_table_is_drift_in_every_format() {
    let by_hand = "CREATE TABLE app.extra (id int)";
    let (code, out) = drift_after(by_hand, &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  + table app.extra (in the database, not in the files)"), "{out}");
    assert!(out.contains("  + column app.extra.id"), "{out}");
    let (code, out) = drift_after(by_hand, &["--format", "json"]);
    assert_eq!(code, 3, "{out}");
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
    let (code, out) = drift_after(by_hand, &["--format", "markdown"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("### schema `app`"), "{out}");
    assert!(out.contains("| `table app.extra` | in the database, not in the files |"), "{out}");
}

#[test]
fn objects_outside_the_project_schemas_are_ignored_unless_asked() {
    let (code, out) = drift_after("CREATE TABLE public.elsewhere (id int)", &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = drift_after("CREATE TABLE public.elsewhere (id int)", &["--all-schemas"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("schema public:\n"), "{out}");
    assert!(out.contains("  + table public.elsewhere (in the database, not in the files)"), "{out}");
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
    let out = p.strata().arg("drift").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("migrate 20251124_000001_t: edited since it was applied (not replayed)"), "{text}");
    assert!(!text.contains("app.t.more"), "{text}");
}
