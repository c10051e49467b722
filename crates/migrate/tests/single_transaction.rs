//! `--single-transaction` (Options::transactions): every pending file and its
//! history row in one transaction, all or nothing; refused before anything runs
//! when a pending file is `-- strata:no-transaction`.

use sqlx::PgConnection;
use strata_migrate::apply::{self, Transactions};
use strata_migrate::{Error, ErrorKind, MigrationSet, Options, Request, SqlFailure, Track};
use strata_testing::{MigrationDir, TestDb};

/// A fresh database (kept while the first value lives), a connection to it, and a
/// folder: create_schemas, then `n` files each creating table `app.t<i>`.
async fn fresh(n: usize) -> (TestDb, PgConnection, MigrationDir) {
    let db = TestDb::new();
    let conn = db.connect().await;
    let dir = MigrationDir::with_app_schema();
    dir.write_numbered(
        "20251124",
        1..=n,
        |i| format!("CREATE TABLE IF NOT EXISTS app.t{i} (id int PRIMARY KEY, name text);\n"),
        |i| format!("DROP TABLE IF EXISTS app.t{i};\n"),
    );
    (db, conn, dir)
}

async fn run(conn: &mut PgConnection, dir: &MigrationDir, transactions: Transactions) -> Result<apply::Report, Error> {
    let set = MigrationSet::load(dir.path()).unwrap();
    let opts = Options { transactions, ..Options::default() };
    let request = Request::Up { to: None, allow_out_of_order: false };
    apply::run(conn, &set, Track::Migrate, &request, &opts, &mut ()).await
}

/// Every relation and schema outside the system's, with the columns of each
/// table: what a run that leaves nothing behind must not change.
async fn catalog(conn: &mut PgConnection) -> String {
    sqlx::query_scalar(
        "SELECT coalesce(string_agg(x, ' ' ORDER BY x), '') FROM (
           SELECT 'schema:' || nspname AS x FROM pg_namespace
           WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
           UNION ALL
           SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' ||
                  coalesce((SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
                            WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped), '')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema') s",
    )
    .fetch_one(conn)
    .await
    .unwrap()
}

/// `(version, status, execution_ms >= 0)` of every row, or none without the table.
async fn history(conn: &mut PgConnection) -> Vec<(String, String)> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('public.migration_history') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    if !exists {
        return vec![];
    }
    sqlx::query_as("SELECT version, status FROM public.migration_history ORDER BY track, version")
        .fetch_all(conn)
        .await
        .unwrap()
}

/// Runs the pending files in one transaction, which must fail and leave the
/// catalog and the history as they were, with nothing reported done. The error.
async fn fails_leaving_nothing(conn: &mut PgConnection, dir: &MigrationDir) -> Error {
    let (catalog_before, history_before) = (catalog(conn).await, history(conn).await);
    let failure = run(conn, dir, Transactions::Single).await.unwrap_err();
    assert!(failure.report().done.is_empty(), "nothing committed: {:?}", failure.report().done);
    assert_eq!(catalog(conn).await, catalog_before, "no schema, table or history table was left");
    assert_eq!(history(conn).await, history_before);
    failure
}

/// The SQL error, which must be in `file` with SQLSTATE `code`.
fn sql_error<'a>(failure: &'a Error, file: &str, code: &str) -> &'a SqlFailure {
    let ErrorKind::Sql(f) = failure.kind() else { panic!("{failure}") };
    assert!(f.path.ends_with(file), "{f}");
    assert_eq!(f.code, code, "{f}");
    f
}

/// How many transactions wrote the history rows (their `xmin`s).
async fn writing_transactions(conn: &mut PgConnection) -> i64 {
    sqlx::query_scalar("SELECT count(DISTINCT xmin::text) FROM public.migration_history").fetch_one(conn).await.unwrap()
}

#[tokio::test]
async fn every_file_and_its_history_row_commit_together() {
    let (_db, mut conn, dir) = fresh(150).await;
    // A file with COPY data goes through the COPY protocol, inside the same transaction.
    dir.write(
        "migrate",
        "20251124_000200_copy_rows",
        "COPY app.t1 (id, name) FROM STDIN;\n1\tone\n2\ttwo\n\\.\n",
        "DELETE FROM app.t1;\n",
    );
    let report = run(&mut conn, &dir, Transactions::Single).await.unwrap();
    assert_eq!(report.done.len(), 152);
    assert_eq!(history(&mut conn).await.len(), 152);
    assert!(history(&mut conn).await.iter().all(|(_, status)| status == "applied"));
    assert_eq!(writing_transactions(&mut conn).await, 1, "one transaction wrote every history row");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM app.t1").fetch_one(&mut conn).await.unwrap();
    assert_eq!(rows, 2);
    // Nothing pending: a second run does nothing.
    assert!(run(&mut conn, &dir, Transactions::Single).await.unwrap().done.is_empty());

    // The per-file mode, for contrast: one transaction per file.
    let other = TestDb::new();
    let mut conn = other.connect().await;
    run(&mut conn, &dir, Transactions::PerFile).await.unwrap();
    assert_eq!(writing_transactions(&mut conn).await, 152);
}

#[tokio::test]
async fn a_failing_file_in_the_middle_leaves_nothing_behind_on_a_fresh_database() {
    let (_db, mut conn, dir) = fresh(80).await;
    dir.remove("migrate", "20251124_000040_t40");
    // Fails at run time, without an error position, on what file 1 of this run
    // created: located by replaying the files before it.
    dir.write(
        "migrate",
        "20251124_000040_dupes",
        "INSERT INTO app.t1 VALUES (1, 'a');\n\n  INSERT INTO app.t1 VALUES (1, 'b');\n",
        "DELETE FROM app.t1;\n",
    );
    let failure = fails_leaving_nothing(&mut conn, &dir).await;
    let f = sql_error(&failure, "migrate/20251124_000040_dupes.up.sql", "23505");
    assert_eq!((f.line, f.column, f.statement), (Some(3), Some(3), Some(2)), "{f}");
    assert!(history(&mut conn).await.is_empty());
    let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&mut conn).await.unwrap();
    assert_eq!(one, 1, "the connection is usable afterwards");
}

#[tokio::test]
async fn a_failure_leaves_an_applied_database_and_its_history_unchanged() {
    let (_db, mut conn, dir) = fresh(5).await;
    run(&mut conn, &dir, Transactions::PerFile).await.unwrap();
    dir.write_numbered(
        "20251125",
        (6..=70).filter(|i| *i != 30),
        |i| format!("CREATE TABLE IF NOT EXISTS app.t{i} (id int);\nALTER TABLE app.t1 ADD COLUMN c{i} int;\n"),
        |i| format!("DROP TABLE IF EXISTS app.t{i};\n"),
    );
    // A syntax error (positioned) in the middle of the pending files.
    dir.write_up("migrate", "20251125_000030_bad", "SELECT 1;\nCREATE TABLE app.broken (id int,, x int);\n");
    let failure = fails_leaving_nothing(&mut conn, &dir).await;
    let f = sql_error(&failure, "migrate/20251125_000030_bad.up.sql", "42601");
    assert_eq!((f.line, f.column), (Some(2), Some(33)), "{f}");

    // A runtime error late in the run (after a batch of files ran): same.
    dir.remove("migrate", "20251125_000030_bad");
    dir.write_up("migrate", "20251125_000071_late", "SELECT 1;\nSELECT 1 / (SELECT count(*) FROM app.t70)::int;\n");
    let failure = fails_leaving_nothing(&mut conn, &dir).await;
    // Division by zero: app.t70, created earlier in the run, is empty.
    let f = sql_error(&failure, "migrate/20251125_000071_late.up.sql", "22012");
    assert_eq!((f.line, f.statement), (Some(2), Some(2)), "{f}");
}

#[tokio::test]
async fn a_no_transaction_file_is_refused_before_anything_runs() {
    let (_db, mut conn, dir) = fresh(3).await;
    dir.write(
        "migrate",
        "20251124_000004_concurrently",
        "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t1_name ON app.t1 (name);\n",
        "-- strata:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS app.t1_name;\n",
    );
    // Not even the history table is created.
    let failure = fails_leaving_nothing(&mut conn, &dir).await;
    let ErrorKind::Unrunnable { path, reason, .. } = failure.kind() else { panic!("{failure}") };
    assert!(path.ends_with("migrate/20251124_000004_concurrently.up.sql"), "{failure}");
    assert!(reason.contains("--single-transaction") && reason.contains("-- strata:no-transaction"), "{reason}");
    assert!(failure.to_string().contains("20251124_000004_concurrently.up.sql"));

    // When possible: falls back to one transaction per file, and applies them all.
    let report = run(&mut conn, &dir, Transactions::SingleWhenPossible).await.unwrap();
    assert_eq!(report.done.len(), 5);
    assert_eq!(writing_transactions(&mut conn).await, 5);
}
