//! `migrate status --drift` and `[migrate] check_drift` before `migrate up`, on
//! real PostgreSQL: clean, drifted, and what each setting does with a pending file.

mod common;

use common::{Outcome, Project, assert_contains, event};

/// app.t applied by its file; `check_drift` set in strata.toml when given.
fn applied(check_drift: Option<&str>) -> Project {
    let p = Project::new();
    if let Some(mode) = check_drift {
        p.settings(&format!("\n[migrate]\ncheck_drift = \"{mode}\"\n"));
    }
    p.write(
        "migrate",
        "20251124_000001_t",
        "CREATE TABLE IF NOT EXISTS app.t (id int PRIMARY KEY);\n",
        "DROP TABLE IF EXISTS app.t;\n",
    );
    p.strata().args(["migrate", "up"]).assert().success();
    p
}

/// A pending file, after the applied ones.
fn pending(p: &Project) {
    p.write(
        "migrate",
        "20251124_000002_u",
        "CREATE TABLE IF NOT EXISTS app.u (id int PRIMARY KEY);\n",
        "DROP TABLE IF EXISTS app.u;\n",
    );
}

/// `migrate up` with drift made by `by_hand` and a pending file: exits `code`, and
/// stderr (returned) names each of `named`.
fn up_after(p: &Project, by_hand: &str, code: i32, named: &[&str]) -> String {
    p.psql(by_hand);
    pending(p);
    let stderr = p.run(&["migrate", "up"]).code(code).stderr;
    assert_contains(&stderr, named);
    stderr
}

#[test]
fn status_with_drift_is_clean_on_a_database_its_files_made() {
    let p = applied(None);
    let stdout = p.run(&["migrate", "status", "--drift"]).code(0).stdout;
    assert_contains(
        &stdout,
        &["2 applied, 0 pending, 0 with problems.", "No drift: 2 applied file(s) replayed; schemas app match."],
    );
    // Without the flag, no replay.
    let Outcome { stdout, stderr, .. } = p.run(&["migrate", "status"]).code(0);
    assert!(!stdout.contains("drift") && !stderr.contains("scratch database"), "{stdout}{stderr}");
}

#[test]
fn status_with_drift_names_the_object_and_exits_3() {
    let p = applied(None);
    p.psql("ALTER TABLE app.t ADD COLUMN by_hand text");
    let Outcome { stdout, stderr, .. } = p.run(&["migrate", "status", "--drift"]).code(3);
    // The status itself is clean; the drift is what fails it.
    assert_contains(
        &stdout,
        &["2 applied, 0 pending, 0 with problems.", "  + column app.t.by_hand (in the database, not in the files)"],
    );
    assert_contains(&stderr, &["error: drift: 1 object(s) in 1 schema(s) differ"]);
    // JSON: a drift event among the status events.
    let drift = event(&p.run(&["--json", "migrate", "status", "--drift"]).code(3).stdout, "drift");
    assert_eq!(drift["clean"], false);
    assert_eq!(drift["report"]["schemas"][0]["objects"][0]["object"], "column app.t.by_hand");
}

#[test]
fn check_drift_error_refuses_migrate_up_before_any_file_runs() {
    let p = applied(Some("error"));
    let named = [
        "  + index by_hand on app.t (in the database, not in the files)",
        "nothing was applied ([migrate] check_drift = \"error\"",
    ];
    up_after(&p, "CREATE INDEX by_hand ON app.t (id)", 3, &named);
    assert_eq!(p.psql("SELECT count(*) FROM pg_class WHERE oid = to_regclass('app.u')"), "0");
    // Once the drift is gone, up runs.
    p.psql("DROP INDEX app.by_hand");
    assert_contains(&p.run(&["migrate", "up"]).code(0).stderr, &["No drift ([migrate] check_drift"]);
    assert_eq!(p.psql("SELECT to_regclass('app.u') IS NOT NULL"), "t");
}

#[test]
fn check_drift_warn_prints_the_drift_and_applies() {
    let p = applied(Some("warn"));
    let named = ["  ~ table app.t (defined differently)", "applying anyway ([migrate] check_drift = \"warn\")"];
    up_after(&p, "GRANT SELECT ON app.t TO PUBLIC", 0, &named);
    assert_eq!(p.psql("SELECT to_regclass('app.u') IS NOT NULL"), "t");
}

#[test]
fn check_drift_is_off_by_default_and_a_bad_value_is_a_usage_error() {
    let p = applied(None);
    let stderr = up_after(&p, "ALTER TABLE app.t ADD COLUMN by_hand text", 0, &[]);
    assert!(!stderr.contains("scratch database"), "{stderr}");
    p.toml("[migrate]\ncheck_drift = \"sometimes\"\n");
    assert_contains(&p.run(&["migrate", "up"]).code(2).stderr, &["check_drift"]);
}
