//! `migrate status --drift` and `[migrate] check_drift` before `migrate up`, on
//! real PostgreSQL: clean, drifted, and what each setting does with a pending file.

mod common;

use common::Project;

/// app.t applied by its file; `check_drift` set in strata.toml when given.
fn applied(check_drift: Option<&str>) -> Project {
    let p = Project::new();
    if let Some(mode) = check_drift {
        std::fs::write(
            p.path().join("strata.toml"),
            format!("[lint]\non_migrate = \"off\"\n\n[migrate]\ncheck_drift = \"{mode}\"\n"),
        )
        .unwrap();
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

fn run(p: &Project, args: &[&str]) -> (i32, String, String) {
    let out = p.strata().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn status_with_drift_is_clean_on_a_database_its_files_made() {
    let p = applied(None);
    let (code, stdout, stderr) = run(&p, &["migrate", "status", "--drift"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("2 applied, 0 pending, 0 with problems."), "{stdout}");
    assert!(stdout.contains("No drift: 2 applied file(s) replayed; schemas app match."), "{stdout}");
    // Without the flag, no replay.
    let (code, stdout, stderr) = run(&p, &["migrate", "status"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("drift") && !stderr.contains("scratch database"), "{stdout}{stderr}");
}

#[test]
fn status_with_drift_names_the_object_and_exits_3() {
    let p = applied(None);
    p.psql("ALTER TABLE app.t ADD COLUMN by_hand text");
    let (code, stdout, stderr) = run(&p, &["migrate", "status", "--drift"]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    // The status itself is clean; the drift is what fails it.
    assert!(stdout.contains("2 applied, 0 pending, 0 with problems."), "{stdout}");
    assert!(stdout.contains("  + column app.t.by_hand (in the database, not in the files)"), "{stdout}");
    assert!(stderr.contains("error: drift: 1 object(s) in 1 schema(s) differ"), "{stderr}");
    // JSON: a drift event among the status events.
    let (code, stdout, _) = run(&p, &["--json", "migrate", "status", "--drift"]);
    assert_eq!(code, 3);
    let drift: serde_json::Value = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["event"] == "drift")
        .expect("a drift event");
    assert_eq!(drift["clean"], false);
    assert_eq!(drift["report"]["schemas"][0]["objects"][0]["object"], "column app.t.by_hand");
}

#[test]
fn check_drift_error_refuses_migrate_up_before_any_file_runs() {
    let p = applied(Some("error"));
    p.psql("CREATE INDEX by_hand ON app.t (id)");
    pending(&p);
    let (code, stdout, stderr) = run(&p, &["migrate", "up"]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stderr.contains("  + index by_hand on app.t (in the database, not in the files)"), "{stderr}");
    assert!(stderr.contains("nothing was applied ([migrate] check_drift = \"error\""), "{stderr}");
    assert_eq!(p.psql("SELECT count(*) FROM pg_class WHERE oid = to_regclass('app.u')"), "0");
    // Once the drift is gone, up runs.
    p.psql("DROP INDEX app.by_hand");
    let (code, stdout, stderr) = run(&p, &["migrate", "up"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("No drift ([migrate] check_drift"), "{stderr}");
    assert_eq!(p.psql("SELECT to_regclass('app.u') IS NOT NULL"), "t");
}

#[test]
fn check_drift_warn_prints_the_drift_and_applies() {
    let p = applied(Some("warn"));
    p.psql("GRANT SELECT ON app.t TO PUBLIC");
    pending(&p);
    let (code, stdout, stderr) = run(&p, &["migrate", "up"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("  ~ table app.t (defined differently)"), "{stderr}");
    assert!(stderr.contains("applying anyway ([migrate] check_drift = \"warn\")"), "{stderr}");
    assert_eq!(p.psql("SELECT to_regclass('app.u') IS NOT NULL"), "t");
}

#[test]
fn check_drift_is_off_by_default_and_a_bad_value_is_a_usage_error() {
    let p = applied(None);
    p.psql("ALTER TABLE app.t ADD COLUMN by_hand text");
    pending(&p);
    let (code, stdout, stderr) = run(&p, &["migrate", "up"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stderr.contains("scratch database"), "{stderr}");
    std::fs::write(p.path().join("strata.toml"), "[migrate]\ncheck_drift = \"sometimes\"\n").unwrap();
    let (code, _, stderr) = run(&p, &["migrate", "up"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("check_drift"), "{stderr}");
}
