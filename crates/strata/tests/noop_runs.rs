//! The no-op `migrate up` / `migrate status` path (files listed, only the up
//! files read) and `--single-transaction`, end to end through the binary.

mod common;

use std::fs::File;

use common::Project;
use predicates::prelude::*;

fn table(p: &Project, seq: u32) {
    p.write(
        "migrate",
        &format!("20251124_{seq:06}_t{seq}"),
        &format!("CREATE TABLE IF NOT EXISTS app.t{seq} (id int);\n"),
        &format!("DROP TABLE IF EXISTS app.t{seq};\n"),
    );
}

#[test]
fn an_edit_that_keeps_size_and_times_is_still_caught() {
    let p = Project::new();
    for seq in 1..=5 {
        table(&p, seq);
    }
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata()
        .args(["migrate", "up"])
        .assert()
        .success()
        .stdout(predicate::str::contains("migrations are up to date."));
    p.strata().args(["--json", "migrate", "up"]).assert().success().stdout(
        predicate::str::contains(r#"{"event":"plan","track":"migrate","direction":"up","count":0}"#)
            .and(predicate::str::contains(r#""event":"summary""#)),
    );

    // Same length, same modification time, different text.
    let path = p.path().join("migrations/migrate/20251124_000003_t3.up.sql");
    let before = std::fs::metadata(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace("t3 (id int)", "t3 (id INT)");
    assert_ne!(edited, text);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&path, &edited).unwrap();
    let mtime = before.modified().unwrap();
    File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
    let after = std::fs::metadata(&path).unwrap();
    assert_eq!((after.len(), after.modified().unwrap()), (before.len(), mtime));

    p.strata()
        .args(["migrate", "up"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("20251124_000003_t3.up.sql").and(predicate::str::contains("was edited")));
    p.strata()
        .args(["migrate", "status"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("t3").and(predicate::str::contains("modified")));

    // Restored: a no-op again; a new file is applied (the full path).
    std::fs::write(&path, &text).unwrap();
    p.strata().args(["migrate", "up"]).assert().success().stdout(predicate::str::contains("up to date"));
    table(&p, 6);
    p.strata().args(["migrate", "up"]).assert().success().stdout(predicate::str::contains("Applied 1 migration"));
    // A bad file name anywhere still refuses the run.
    std::fs::write(p.path().join("migrations/migrate/notes.sql"), "").unwrap();
    p.strata().args(["migrate", "up"]).assert().code(3).stderr(predicate::str::contains("notes.sql"));
}

#[test]
fn single_transaction_is_all_or_nothing_and_refuses_no_transaction_files() {
    let p = Project::new();
    for seq in 1..=40 {
        table(&p, seq);
    }
    p.write(
        "migrate",
        "20251124_000020_t20",
        "CREATE TABLE IF NOT EXISTS app.t20 (id int);\nINSERT INTO app.t20 VALUES (1);\nSELECT 1 / (SELECT count(*) - 1 FROM app.t20)::int;\n",
        "DROP TABLE IF EXISTS app.t20;\n",
    );
    p.strata()
        .args(["migrate", "up", "--single-transaction"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("20251124_000020_t20.up.sql:3").and(predicate::str::contains("22012")));
    assert_eq!(p.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"), "0", "nothing was left behind");
    assert_eq!(p.psql("SELECT to_regclass('public.migration_history') IS NULL"), "t");

    p.write(
        "migrate",
        "20251124_000020_t20",
        "CREATE TABLE IF NOT EXISTS app.t20 (id int);\n",
        "DROP TABLE IF EXISTS app.t20;\n",
    );
    p.write(
        "migrate",
        "20251124_000041_concurrently",
        "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t1_id ON app.t1 (id);\n",
        "-- strata:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS app.t1_id;\n",
    );
    p.strata().args(["migrate", "up", "--single-transaction"]).assert().code(3).stderr(
        predicate::str::contains("20251124_000041_concurrently.up.sql")
            .and(predicate::str::contains("--single-transaction"))
            .and(predicate::str::contains("nothing was run")),
    );
    assert_eq!(p.psql("SELECT to_regclass('public.migration_history') IS NULL"), "t");
    std::fs::remove_file(p.path().join("migrations/migrate/20251124_000041_concurrently.up.sql")).unwrap();
    std::fs::remove_file(p.path().join("migrations/migrate/20251124_000041_concurrently.down.sql")).unwrap();
    p.strata()
        .args(["migrate", "up", "--single-transaction"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Applied 41 migrations"));
    assert_eq!(p.psql("SELECT count(DISTINCT xmin::text) FROM public.migration_history"), "1");
}
