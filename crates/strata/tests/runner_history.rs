//! What `repair`, `baseline` and `status` do with the history after a run went
//! wrong or the files changed (issue 18, item 8).

use predicates::str::contains;

mod common;
use common::Project;

/// A new project with one more migrate file, `name`, applied.
fn applied(name: &str, up: &str, down: &str) -> Project {
    let p = Project::new();
    p.write("migrate", name, up, down);
    p.strata().args(["migrate", "up"]).assert().success();
    p
}

/// Asserts what `migrate status` says: exit status 3 and `problem` on stdout, or
/// success (and nothing to look for) when `problem` is None.
fn status(p: &Project, problem: Option<&str>) {
    match problem {
        Some(problem) => p.strata().args(["migrate", "status"]).assert().code(3).stdout(contains(problem)),
        None => p.strata().args(["migrate", "status"]).assert().success(),
    };
}

#[test]
fn repair_after_a_failed_no_transaction_down_lets_the_down_run_again() {
    // repair deleted the row: the file showed pending while the up's objects were still there.
    let p = Project::new();
    let up = "-- strata:no-transaction\nCREATE TABLE app.a (id int);\nCREATE TABLE app.b (id int);\n";
    p.write(
        "migrate",
        "20251124_000001_nt",
        up,
        "-- strata:no-transaction\nDROP TABLE app.b;\nSELECT 1/0;\nDROP TABLE app.a;\n",
    );
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata().args(["migrate", "down", "--steps", "1"]).assert().code(1).stderr(contains("division by zero"));
    status(&p, Some("failed"));
    p.write(
        "migrate",
        "20251124_000001_nt",
        up,
        "-- strata:no-transaction\nDROP TABLE IF EXISTS app.b;\nDROP TABLE app.a;\n",
    );
    p.strata().args(["migrate", "repair"]).assert().success().stdout(contains("applied again"));
    p.strata().args(["migrate", "status"]).assert().success().stdout(contains("2 applied, 0 pending"));
    p.strata().args(["migrate", "down", "--steps", "1"]).assert().success();
    assert_eq!(p.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'app'"), "0");
}

#[test]
fn baseline_names_a_pending_out_of_order_file_instead_of_recording_it() {
    // baseline recorded an out-of-order file as applied without running it.
    let p = applied("20251124_000003_c", "CREATE TABLE app.c (id int);\n", "DROP TABLE app.c;");
    p.write("migrate", "20251124_000002_b", "CREATE TABLE app.b (id int);\n", "DROP TABLE app.b;");
    p.strata().args(["migrate", "baseline", "20251124_000003"]).assert().code(3).stderr(contains("20251124_000002"));
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history WHERE version = '20251124_000002'"), "0");
}

#[test]
fn a_renamed_applied_file_is_reported_until_repair_accepts_it() {
    // A rename (same version, new description) was accepted silently.
    let p = applied("20251124_000001_old_name", "CREATE TABLE app.a (id int);\n", "DROP TABLE app.a;");
    let dir = p.path().join("migrations/migrate");
    for d in ["up", "down"] {
        std::fs::rename(
            dir.join(format!("20251124_000001_old_name.{d}.sql")),
            dir.join(format!("20251124_000001_new_name.{d}.sql")),
        )
        .unwrap();
    }
    status(&p, Some("renamed from old_name"));
    p.strata().args(["migrate", "repair"]).assert().success().stdout(contains("old_name -> new_name"));
    status(&p, None);
    assert_eq!(
        p.psql("SELECT description FROM public.migration_history WHERE version = '20251124_000001'"),
        "new_name"
    );
}

#[test]
fn repair_forget_missing_accepts_a_deleted_applied_file() {
    // No command accepted the deletion of an applied file while status exited 3.
    let p = applied("20251124_000001_gone", "CREATE TABLE app.g (id int);\n", "DROP TABLE app.g;");
    let dir = p.path().join("migrations/migrate");
    for d in ["up", "down"] {
        std::fs::remove_file(dir.join(format!("20251124_000001_gone.{d}.sql"))).unwrap();
    }
    status(&p, Some("missing"));
    // Without a terminal it asks for --yes and changes nothing.
    p.strata().args(["migrate", "repair", "--forget-missing"]).assert().code(2).stderr(contains("--yes"));
    status(&p, Some(""));
    p.strata()
        .args(["migrate", "repair", "--forget-missing", "--yes"])
        .assert()
        .success()
        .stdout(contains("forgot migrate 20251124_000001_gone"));
    status(&p, None);
    assert_eq!(p.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'g'"), "1");
}
