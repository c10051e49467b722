//! PostgreSQL's lock_timeout on migration statements, the retries of a file
//! that timed out, the blocker named, and the invalid-index cleanup of a
//! no-transaction file: against a real PostgreSQL, a session of the test
//! holding the lock.

use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use strata_migrate::apply::{self, Event};
use strata_migrate::{ErrorClass, MigrationSet, Options, Request, Track};
use strata_testing::{MigrationDir, TestDb};

fn up() -> Request {
    Request::Up { to: None, allow_out_of_order: false }
}

/// What the run said, as text: `blocked <pid> <line>`, `retry <attempt> <statement>`, `dropped <index>`.
#[derive(Default)]
struct Said(Vec<String>);

impl Said {
    fn count(&self, prefix: &str) -> usize {
        self.0.iter().filter(|l| l.starts_with(prefix)).count()
    }
}

fn options(db: &TestDb, lock_timeout_ms: u64, retry_for: Duration) -> Options {
    Options {
        ddl_lock_timeout: Duration::from_millis(lock_timeout_ms),
        lock_retry_for: retry_for,
        monitor: Some(PgConnectOptions::from_str(db.url()).unwrap().application_name("strata monitor")),
        ..Options::default()
    }
}

async fn run(
    conn: &mut PgConnection,
    dir: &MigrationDir,
    opts: &Options,
    said: &mut Said,
) -> Result<apply::Report, strata_migrate::Error> {
    let set = MigrationSet::load(dir.path()).unwrap();
    let mut observer = |e: &Event<'_>| match e {
        Event::Blocked { blocker, .. } => said.0.push(format!("blocked {} {blocker}", blocker.pid)),
        Event::LockRetry { attempt, statement, .. } => said.0.push(format!("retry {attempt} {statement:?}")),
        Event::InvalidIndexDropped { index, .. } => said.0.push(format!("dropped {index}")),
        _ => {}
    };
    apply::run(conn, &set, Track::Migrate, &up(), opts, &mut observer).await
}

/// A database with the schema, `app.items` and a counter every file can add to
/// (a file that ran twice would show there) applied from the folder; a connection to it.
async fn setup() -> (TestDb, MigrationDir, PgConnection) {
    let (db, dir) = (TestDb::new(), MigrationDir::with_app_schema());
    dir.write_up(
        "migrate",
        "20251201_000001_items",
        "CREATE TABLE app.items (id int PRIMARY KEY, v int);\nCREATE TABLE app.counter (file text);",
    );
    let mut conn = db.connect().await;
    run(&mut conn, &dir, &Options::default(), &mut Said::default()).await.unwrap();
    (db, dir, conn)
}

/// A session like a report: a transaction that read app.items and stays open
/// (ACCESS SHARE), with application_name `report`. Its pid.
async fn reporter(db: &TestDb) -> (PgConnection, i32) {
    let options = PgConnectOptions::from_str(db.url()).unwrap().application_name("report");
    let mut conn = PgConnection::connect_with(&options).await.unwrap();
    let pid = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
    sqlx::raw_sql("SELECT count(*) FROM app.items").execute(&mut conn).await.unwrap();
    (conn, pid)
}

/// Ends the reporter's transaction after `after`.
async fn release_after(mut conn: PgConnection, after: Duration) {
    tokio::time::sleep(after).await;
    sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// Runs the pending files while `report` holds its lock, ending it after
/// `held_for`; the run must succeed.
async fn run_while_held(
    conn: &mut PgConnection,
    dir: &MigrationDir,
    opts: &Options,
    said: &mut Said,
    report: PgConnection,
    held_for: Duration,
) -> apply::Report {
    let (done, ()) = tokio::join!(run(conn, dir, opts, said), release_after(report, held_for));
    done.unwrap()
}

async fn counter(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar("SELECT file FROM app.counter ORDER BY file").fetch_all(conn).await.unwrap()
}

async fn history(conn: &mut PgConnection) -> Vec<(String, String)> {
    sqlx::query_as("SELECT version, status FROM public.migration_history WHERE track = 'migrate' ORDER BY version")
        .fetch_all(conn)
        .await
        .unwrap()
}

async fn all_applied(conn: &mut PgConnection) -> bool {
    history(conn).await.iter().all(|(_, s)| s == "applied")
}

async fn has_column(conn: &mut PgConnection, column: &str) -> bool {
    sqlx::query_scalar(
        "SELECT count(*) = 1 FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 'items' AND column_name = $1",
    )
    .bind(column)
    .fetch_one(conn)
    .await
    .unwrap()
}

/// Three files in one batch; the middle one waits for the report. It times out
/// (200 ms), rolls back, and is retried alone until the report ends; the first
/// ran once (its non-idempotent CREATE TABLE and counter row), the last after it.
#[tokio::test]
async fn a_file_that_times_out_in_a_batch_is_retried_alone() {
    let (db, dir, mut conn) = setup().await;
    dir.write_up("migrate", "20251201_000002_b", "CREATE TABLE app.b (id int);\nINSERT INTO app.counter VALUES ('b');");
    dir.write_up(
        "migrate",
        "20251201_000003_tags",
        "INSERT INTO app.counter VALUES ('tags');\nALTER TABLE app.items ADD COLUMN IF NOT EXISTS tags text[];",
    );
    dir.write_up("migrate", "20251201_000004_d", "CREATE TABLE app.d (id int);\nINSERT INTO app.counter VALUES ('d');");
    let (report, pid) = reporter(&db).await;
    let mut said = Said::default();
    let started = Instant::now();
    let opts = options(&db, 200, Duration::from_secs(30));
    let done = run_while_held(&mut conn, &dir, &opts, &mut said, report, Duration::from_millis(1500)).await;
    assert!(started.elapsed() >= Duration::from_millis(1400), "{:?}", started.elapsed());
    assert_eq!(done.done.len(), 3);
    assert_eq!(counter(&mut conn).await, ["b", "d", "tags"]);
    assert!(has_column(&mut conn, "tags").await);
    let rows = history(&mut conn).await;
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows.iter().all(|(_, s)| s == "applied"), "{rows:?}");
    assert!(said.count("retry ") >= 1, "{:?}", said.0);
    assert!(said.0.iter().all(|l| !l.starts_with("retry ") || l.ends_with("None")), "{:?}", said.0);
    // The blocker, named once, with its pid, application, state and query.
    let named: Vec<&String> = said.0.iter().filter(|l| l.starts_with("blocked ")).collect();
    assert_eq!(named.len(), 1, "{:?}", said.0);
    let line = named[0];
    assert!(
        line.starts_with(&format!(
            "blocked {pid} waiting for ACCESS EXCLUSIVE on app.items: blocked by pid {pid} (report, "
        )),
        "{line}"
    );
    assert!(line.contains("idle in transaction for "), "{line}");
    assert!(line.ends_with("\"SELECT count(*) FROM app.items\")"), "{line}");
}

/// The report never ends within `lock_retry_for`: the run fails (class Failed,
/// exit 1) saying what it waited for; the file is not in the history and did
/// nothing; the file before it in the batch stays applied.
#[tokio::test]
async fn retries_stop_at_lock_retry_for() {
    let (db, dir, mut conn) = setup().await;
    dir.write_up("migrate", "20251201_000002_b", "INSERT INTO app.counter VALUES ('b');");
    dir.write_up(
        "migrate",
        "20251201_000003_tags",
        "INSERT INTO app.counter VALUES ('tags');\nALTER TABLE app.items ADD COLUMN tags text[];",
    );
    let (mut report, pid) = reporter(&db).await;
    let mut said = Said::default();
    let started = Instant::now();
    let failure = run(&mut conn, &dir, &options(&db, 200, Duration::from_millis(1500)), &mut said).await.unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(10), "{took:?}");
    assert_eq!(failure.class(), ErrorClass::Failed);
    let message = failure.to_string();
    assert!(message.contains("SQLSTATE 55P03"), "{message}");
    assert!(message.contains("gave up after"), "{message}");
    assert!(message.contains("lock_retry_for 1500ms"), "{message}");
    assert!(
        message.contains(&format!("waiting for ACCESS EXCLUSIVE on app.items: blocked by pid {pid} (report, ")),
        "{message}"
    );
    assert_eq!(failure.report().done.len(), 1);
    sqlx::raw_sql("COMMIT").execute(&mut report).await.unwrap();
    assert_eq!(counter(&mut conn).await, ["b"]);
    assert!(!has_column(&mut conn, "tags").await);
    let versions: Vec<String> = history(&mut conn).await.into_iter().map(|(v, _)| v).collect();
    assert!(!versions.iter().any(|v| v.ends_with("000003")), "{versions:?}");
    assert_eq!(versions.len(), 3, "{versions:?}");
}

/// A no-transaction file: its first statement ran once; only the second, which
/// timed out, ran again; the third after it.
#[tokio::test]
async fn a_no_transaction_file_retries_only_the_statement_that_timed_out() {
    let (db, dir, mut conn) = setup().await;
    dir.write_up(
        "migrate",
        "20251201_000002_notx",
        "-- strata:no-transaction\nINSERT INTO app.counter VALUES ('1');\nALTER TABLE app.items ADD COLUMN x int;\nINSERT INTO app.counter VALUES ('3');\n",
    );
    let (report, _) = reporter(&db).await;
    let mut said = Said::default();
    let opts = options(&db, 200, Duration::from_secs(30));
    run_while_held(&mut conn, &dir, &opts, &mut said, report, Duration::from_millis(1200)).await;
    assert_eq!(counter(&mut conn).await, ["1", "3"]);
    assert!(has_column(&mut conn, "x").await);
    assert!(said.count("retry ") >= 1, "{:?}", said.0);
    assert!(said.0.iter().filter(|l| l.starts_with("retry ")).all(|l| l.ends_with("Some(2)")), "{:?}", said.0);
    assert_eq!(said.count("blocked "), 1, "{:?}", said.0);
    assert!(all_applied(&mut conn).await);
}

/// A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an INVALID index; after the
/// data is fixed and the failed row cleared, the rerun drops it (and says so)
/// rather than letting `IF NOT EXISTS` skip it, and ends with a valid index.
#[tokio::test]
async fn a_rerun_drops_the_invalid_index_a_failed_attempt_left() {
    let (db, dir, mut conn) = setup().await;
    sqlx::raw_sql("INSERT INTO app.items VALUES (1, 7), (2, 7)").execute(&mut conn).await.unwrap();
    dir.write_up(
        "migrate",
        "20251201_000002_index",
        "-- strata:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS items_v ON app.items (v);\n",
    );
    let opts = options(&db, 1000, Duration::from_secs(30));
    let failure = run(&mut conn, &dir, &opts, &mut Said::default()).await.unwrap_err();
    assert!(failure.to_string().contains("23505"), "{failure}");
    let valid = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.items_v'::regclass";
    assert!(!sqlx::query_scalar::<_, bool>(valid).fetch_one(&mut conn).await.unwrap());
    sqlx::raw_sql("UPDATE app.items SET v = 8 WHERE id = 2").execute(&mut conn).await.unwrap();
    let set = MigrationSet::load(dir.path()).unwrap();
    apply::repair(&mut conn, &set, &opts).await.unwrap();
    let mut said = Said::default();
    run(&mut conn, &dir, &opts, &mut said).await.unwrap();
    assert_eq!(said.0, ["dropped app.items_v"]);
    assert!(sqlx::query_scalar::<_, bool>(valid).fetch_one(&mut conn).await.unwrap());
    assert!(all_applied(&mut conn).await);
}

/// `-- strata:lock-timeout 5s` lets one file wait through a 1 s report where
/// the default (200 ms, no retries) fails; `-- strata:statement-timeout` bounds a
/// slow statement.
#[tokio::test]
async fn a_directive_overrides_the_default_timeouts() {
    let (db, dir, mut conn) = setup().await;
    let opts = options(&db, 200, Duration::ZERO);
    dir.write_up("migrate", "20251201_000002_tags", "ALTER TABLE app.items ADD COLUMN tags text[];");
    let (mut report, _) = reporter(&db).await;
    let failure = run(&mut conn, &dir, &opts, &mut Said::default()).await.unwrap_err();
    assert!(failure.to_string().contains("55P03"), "{failure}");
    sqlx::raw_sql("COMMIT").execute(&mut report).await.unwrap();

    dir.write_up(
        "migrate",
        "20251201_000002_tags",
        "-- strata:lock-timeout 5s\nALTER TABLE app.items ADD COLUMN tags text[];",
    );
    let (report, _) = reporter(&db).await;
    let mut said = Said::default();
    run_while_held(&mut conn, &dir, &opts, &mut said, report, Duration::from_millis(1000)).await;
    assert_eq!(said.count("retry "), 0, "{:?}", said.0);
    assert_eq!(said.count("blocked "), 1, "{:?}", said.0);
    assert!(has_column(&mut conn, "tags").await);

    dir.write_up("migrate", "20251201_000003_slow", "-- strata:statement-timeout 100ms\nSELECT pg_sleep(2);");
    let started = Instant::now();
    let failure = run(&mut conn, &dir, &opts, &mut Said::default()).await.unwrap_err();
    assert!(failure.to_string().contains("57014"), "{failure}");
    assert!(started.elapsed() < Duration::from_millis(1500));
}

/// `CREATE INDEX CONCURRENTLY` waits for the report's transaction to end (a
/// virtualxid lock), times out, and leaves its index INVALID: the retry drops it,
/// says so, and builds it again once the report ends.
#[tokio::test]
async fn a_retry_drops_the_invalid_index_its_timed_out_attempt_left() {
    let (db, dir, mut conn) = setup().await;
    dir.write_up(
        "migrate",
        "20251201_000002_index",
        "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS items_v ON app.items (v);\n",
    );
    // A writer: CREATE INDEX CONCURRENTLY waits for its transaction after creating the index.
    let (mut report, pid) = reporter(&db).await;
    sqlx::raw_sql("INSERT INTO app.items VALUES (100, 1)").execute(&mut report).await.unwrap();
    let mut said = Said::default();
    let opts = options(&db, 300, Duration::from_secs(30));
    run_while_held(&mut conn, &dir, &opts, &mut said, report, Duration::from_millis(1500)).await;
    assert!(said.count("dropped app.items_v") >= 1, "{:?}", said.0);
    assert!(said.0.iter().filter(|l| l.starts_with("retry ")).all(|l| l.ends_with("Some(1)")), "{:?}", said.0);
    assert!(said.0.iter().any(|l| l.starts_with(&format!("blocked {pid} "))), "{:?}", said.0);
    let valid = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.items_v'::regclass";
    assert!(sqlx::query_scalar::<_, bool>(valid).fetch_one(&mut conn).await.unwrap());
    assert!(all_applied(&mut conn).await);
}
