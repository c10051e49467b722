//! The executor against a real PostgreSQL: one fresh database per test.

use std::time::Duration;

use sqlx::{Connection, PgConnection};
use strata_migrate::apply::{self, Event};
use strata_migrate::plan::{self, State};
use strata_migrate::{DownTarget, Error, ErrorClass, ErrorKind, MigrationSet, Options, Request, Track};
use strata_testing::{MigrationDir, TestDb};

/// A migrate-track pair creating (and dropping) table `app.<table>`.
fn table(dir: &MigrationDir, name: &str, table: &str) {
    dir.write(
        "migrate",
        name,
        &format!("CREATE TABLE IF NOT EXISTS app.{table} (id int);"),
        &format!("DROP TABLE IF EXISTS app.{table};"),
    );
}

fn up() -> Request {
    Request::Up { to: None, allow_out_of_order: false }
}

async fn run(
    conn: &mut PgConnection,
    dir: &MigrationDir,
    track: Track,
    request: Request,
) -> Result<apply::Report, Error> {
    let set = MigrationSet::load(dir.path()).unwrap();
    apply::run(conn, &set, track, &request, &Options::default(), &mut ()).await
}

/// One test's database, a connection to it, and its migrations folder (schema
/// `app`'s file first).
struct Project {
    db: TestDb,
    conn: PgConnection,
    dir: MigrationDir,
}

impl Project {
    async fn new() -> Project {
        let db = TestDb::new();
        let conn = db.connect().await;
        Project { db, conn, dir: MigrationDir::with_app_schema() }
    }

    /// Runs `request` on `track` over the folder as it is now.
    async fn run(&mut self, track: Track, request: Request) -> Result<apply::Report, Error> {
        run(&mut self.conn, &self.dir, track, request).await
    }

    /// `up` on the migrate track.
    async fn up(&mut self) -> Result<apply::Report, Error> {
        self.run(Track::Migrate, up()).await
    }

    /// Migrate-track files `20251124_<i>_t<i>` for `i` in `1..=n`: `up(i)`, and a
    /// down that drops table `app.t<i>`.
    fn numbered_tables(&self, n: usize, up: impl Fn(usize) -> String) {
        self.dir.write_numbered("20251124", 1..=n, up, |i| format!("DROP TABLE IF EXISTS app.t{i};"));
    }
}

async fn tables(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'app' ORDER BY 1")
        .fetch_all(conn)
        .await
        .unwrap()
}

async fn indexes(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar("SELECT indexname::text FROM pg_indexes WHERE schemaname = 'app' ORDER BY 1")
        .fetch_all(conn)
        .await
        .unwrap()
}

async fn history(conn: &mut PgConnection) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT track, version, status FROM public.migration_history ORDER BY track, version")
        .fetch_all(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn applies_in_order_and_records_history() {
    let mut p = Project::new().await;
    table(&p.dir, "20251124_000001_a", "a");
    p.dir.write(
        "migrate",
        "20251124_000002_b",
        "CREATE TABLE IF NOT EXISTS app.b (a int);\n-- trailing comment",
        "DROP TABLE IF EXISTS app.b;",
    );
    let report = p.up().await.unwrap();
    assert_eq!(report.done.len(), 3);
    assert_eq!(tables(&mut p.conn).await, ["a", "b"]);
    let rows: Vec<(String, String, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT version, encode(checksum, 'hex'), execution_ms, applied_by, applied_from FROM public.migration_history ORDER BY version",
    )
    .fetch_all(&mut p.conn)
    .await
    .unwrap();
    let set = MigrationSet::load(p.dir.path()).unwrap();
    assert_eq!(rows.len(), 3);
    for (row, m) in rows.iter().zip(&set.migrate) {
        assert_eq!(row.0, m.version.to_string());
        assert_eq!(row.1, m.checksum.to_hex());
        assert!(row.2 >= 0);
        assert!(!row.3.is_empty());
        assert!(row.4.as_deref().is_some_and(|f| f.contains('@')));
    }
    // A second run is a no-op.
    let again = p.up().await.unwrap();
    assert!(again.done.is_empty());
}

#[tokio::test]
async fn failing_file_leaves_nothing_behind_and_points_at_the_error() {
    let mut p = Project::new().await;
    table(&p.dir, "20251124_000001_good", "good");
    p.dir.write(
        "migrate",
        "20251124_000002_bad",
        "CREATE TABLE IF NOT EXISTS app.half (id int);\n-- 'é' counts as one column\nSELECT 'é', nonsense_column FROM app.half;\n",
        "DROP TABLE IF EXISTS app.half;",
    );
    table(&p.dir, "20251124_000003_later", "later");
    let failure = p.up().await.unwrap_err();
    assert_eq!(failure.report().done.len(), 2, "create_schemas and good were applied before the failure");
    let ErrorKind::Sql(f) = failure.kind() else { panic!("{failure}") };
    assert_eq!((f.line, f.column), (Some(3), Some(13)), "{f}");
    assert_eq!(f.code, "42703");
    assert!(f.message.contains("nonsense_column"));
    assert!(f.path.ends_with("20251124_000002_bad.up.sql"));
    assert_eq!(failure.class(), ErrorClass::Failed);
    assert_eq!(
        tables(&mut p.conn).await,
        ["good"],
        "the failing file's table was rolled back, the later file never ran"
    );
    assert_eq!(history(&mut p.conn).await.len(), 2);
    // The connection is usable afterwards (the aborted transaction was rolled back).
    let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&mut p.conn).await.unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn runtime_error_without_position_is_located_by_statement() {
    let mut p = Project::new().await;
    p.dir.write(
        "migrate",
        "20251124_000001_dupes",
        "CREATE TABLE IF NOT EXISTS app.u (id int PRIMARY KEY);\nINSERT INTO app.u VALUES (1) ON CONFLICT DO NOTHING;\n\n  INSERT INTO app.u VALUES (1);\n",
        "DROP TABLE IF EXISTS app.u;",
    );
    let failure = p.up().await.unwrap_err();
    let ErrorKind::Sql(f) = failure.kind() else { panic!("{failure}") };
    assert_eq!(f.code, "23505");
    assert_eq!((f.line, f.column, f.statement), (Some(4), Some(3), Some(3)));
    assert!(f.detail.as_deref().is_some_and(|d| d.contains("already exists")));
    assert_eq!(tables(&mut p.conn).await, Vec::<String>::new());
}

#[tokio::test]
async fn edited_applied_file_is_refused_but_crlf_is_not_an_edit() {
    let mut p = Project::new().await;
    p.dir.write(
        "migrate",
        "20251124_000001_a",
        "CREATE TABLE IF NOT EXISTS app.a (id int);\nSELECT 1;\n",
        "DROP TABLE IF EXISTS app.a;",
    );
    p.up().await.unwrap();
    let up_path = p.dir.path().join("migrate/20251124_000001_a.up.sql");
    std::fs::write(&up_path, "\u{feff}CREATE TABLE IF NOT EXISTS app.a (id int);\r\nSELECT 1;\r\n").unwrap();
    p.up().await.expect("a BOM and CRLF are not an edit");
    std::fs::write(&up_path, "CREATE TABLE IF NOT EXISTS app.a (id bigint);\nSELECT 1;\n").unwrap();
    let failure = p.up().await.unwrap_err();
    assert_eq!(failure.class(), ErrorClass::Inconsistent);
    assert!(failure.to_string().contains("was edited after it was applied"), "{failure}");
    // repair accepts the edit, keeping the old checksum.
    let set = MigrationSet::load(p.dir.path()).unwrap();
    let repaired = apply::repair(&mut p.conn, &set, &Options::default()).await.unwrap();
    assert_eq!(repaired.checksums.len(), 1);
    let (old, new): (Vec<u8>, Vec<u8>) = sqlx::query_as(
        "SELECT previous_checksum, checksum FROM public.migration_history WHERE version = '20251124_000001'",
    )
    .fetch_one(&mut p.conn)
    .await
    .unwrap();
    assert_eq!(hex_of(&new), set.migrate[1].checksum.to_hex());
    assert_ne!(old, new);
    p.up().await.unwrap();
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test]
async fn deleted_applied_file_is_reported_missing() {
    let mut p = Project::new().await;
    p.dir.write("migrate", "20251124_000001_a", "SELECT 1;", "SELECT 1;");
    p.up().await.unwrap();
    p.dir.remove("migrate", "20251124_000001_a");
    let failure = p.up().await.unwrap_err();
    assert!(failure.to_string().contains("is applied but its files are missing"), "{failure}");
    let set = MigrationSet::load(p.dir.path()).unwrap();
    let rows = strata_migrate::history::read(&mut p.conn, &Options::default().history).await.unwrap();
    let states: Vec<State> = plan::status(Track::Migrate, &set.migrate, &rows).iter().map(|e| e.state).collect();
    assert_eq!(states, [State::Applied, State::Missing]);
}

#[tokio::test]
async fn no_transaction_file_runs_statement_by_statement_and_records_failure() {
    let mut p = Project::new().await;
    p.dir.write(
        "migrate",
        "20251124_000001_t",
        "CREATE TABLE IF NOT EXISTS app.t (a int, b int);",
        "DROP TABLE IF EXISTS app.t;",
    );
    let idx = "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON app.t (a);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_c ON app.t (c);\n";
    p.dir.write(
        "migrate",
        "20251124_000002_idx",
        idx,
        "-- strata:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS app.t_a;\n",
    );
    let failure = p.up().await.unwrap_err();
    let ErrorKind::Sql(f) = failure.kind() else { panic!("{failure}") };
    assert_eq!((f.statement, f.line, f.column), (Some(2), Some(3), Some(1)), "{f}");
    let h = history(&mut p.conn).await;
    assert_eq!(h.last().unwrap(), &("migrate".into(), "20251124_000002".into(), "failed".into()));
    // Still failed on the next run, until repaired.
    let again = p.up().await.unwrap_err();
    assert!(again.to_string().contains("failed part-way"), "{again}");
    assert!(again.to_string().contains("statement 2 of 2 failed"), "{again}");
    // Fix the file, repair, re-run: the first statement is idempotent.
    std::fs::write(p.dir.path().join("migrate/20251124_000002_idx.up.sql"), idx.replace("(c)", "(b)")).unwrap();
    let set = MigrationSet::load(p.dir.path()).unwrap();
    let repaired = apply::repair(&mut p.conn, &set, &Options::default()).await.unwrap();
    assert_eq!(repaired.cleared.len(), 1);
    p.up().await.unwrap();
    assert_eq!(indexes(&mut p.conn).await, ["t_a", "t_c"]);
    assert_eq!(history(&mut p.conn).await.last().unwrap().2, "applied");
    p.run(Track::Migrate, Request::Down(DownTarget::Steps(1))).await.unwrap();
    assert_eq!(indexes(&mut p.conn).await, ["t_c"], "the down file dropped only t_a");
}

#[tokio::test]
async fn down_targets_and_the_seed_guard() {
    let mut p = Project::new().await;
    p.numbered_tables(4, |i| format!("CREATE TABLE IF NOT EXISTS app.t{i} (id int PRIMARY KEY);"));
    p.dir.write(
        "seed",
        "20251124_000001_rows",
        "INSERT INTO app.t1 VALUES (1) ON CONFLICT DO NOTHING;",
        "DELETE FROM app.t1 WHERE id = 1;",
    );
    p.up().await.unwrap();
    p.run(Track::Seed, up()).await.unwrap();
    let refused = p.run(Track::Migrate, Request::Down(DownTarget::Steps(1))).await.unwrap_err();
    assert!(
        matches!(refused.kind(), ErrorKind::SeedsApplied { seeds } if seeds == &["20251124_000001_rows"]),
        "{}",
        refused
    );
    assert_eq!(refused.class(), ErrorClass::Inconsistent);
    p.run(Track::Seed, Request::Down(DownTarget::All)).await.unwrap();
    let r = p.run(Track::Migrate, Request::Down(DownTarget::Steps(2))).await.unwrap();
    assert_eq!(r.done.iter().map(|d| d.version.seq()).collect::<Vec<_>>(), [4, 3]);
    assert_eq!(tables(&mut p.conn).await, ["t1", "t2"]);
    let v = strata_migrate::Version::parse("20251124_000001").unwrap();
    p.run(Track::Migrate, Request::Down(DownTarget::To(v))).await.unwrap();
    assert_eq!(tables(&mut p.conn).await, ["t1"]);
    p.run(Track::Migrate, Request::Down(DownTarget::All)).await.unwrap();
    let schema: Option<String> = sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname = 'app'")
        .fetch_optional(&mut p.conn)
        .await
        .unwrap();
    assert_eq!(schema, None);
    assert!(history(&mut p.conn).await.is_empty());
}

#[tokio::test]
async fn concurrent_runners_apply_each_file_once() {
    let mut p = Project::new().await;
    // Not idempotent on purpose: a second application would fail.
    p.numbered_tables(20, |i| format!("CREATE TABLE app.t{i} (id int); SELECT pg_sleep(0.005);"));
    let set = MigrationSet::load(p.dir.path()).unwrap();
    // 16 runners on threads of their own, each with its own connection and runtime.
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let url = p.db.url().to_owned();
            let set = set.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let mut conn = PgConnection::connect(&url).await.unwrap();
                    apply::run(&mut conn, &set, Track::Migrate, &up(), &Options::default(), &mut ())
                        .await
                        .map(|r| r.done.len())
                        .map_err(|f| f.to_string())
                })
            })
        })
        .collect();
    let mut total = 0;
    for t in threads {
        total += t.join().unwrap().expect("every runner succeeds");
    }
    assert_eq!(total, 21, "each file applied exactly once across all runners");
    assert_eq!(history(&mut p.conn).await.len(), 21);
}

#[tokio::test]
async fn lock_timeout_names_the_holder() {
    let mut p = Project::new().await;
    let opts = Options { lock_timeout: Duration::from_millis(300), ..Options::default() };
    let mut holder = PgConnection::connect(&format!("{}?application_name=holder-app", p.db.url())).await.unwrap();
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut holder).await.unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)").bind(opts.history.lock_key()).execute(&mut holder).await.unwrap();
    let set = MigrationSet::load(p.dir.path()).unwrap();
    let mut waited_on = None;
    let mut observer = |e: &Event<'_>| {
        if let Event::LockWaiting { holder } = e {
            waited_on = holder.map(|h| h.pid);
        }
    };
    let failure = apply::run(&mut p.conn, &set, Track::Migrate, &up(), &opts, &mut observer).await.unwrap_err();
    assert_eq!(waited_on, Some(holder_pid));
    let ErrorKind::LockTimeout { holder: Some(h), .. } = failure.kind() else { panic!("{failure}") };
    assert_eq!(h.pid, holder_pid);
    assert_eq!(h.application_name, "holder-app");
    assert!(failure.to_string().contains(&format!("pid {holder_pid}")));
    // Once released, the run proceeds.
    sqlx::query("SELECT pg_advisory_unlock_all()").execute(&mut holder).await.unwrap();
    apply::run(&mut p.conn, &set, Track::Migrate, &up(), &opts, &mut ()).await.unwrap();
}

#[tokio::test]
async fn out_of_order_and_baseline() {
    let mut p = Project::new().await;
    table(&p.dir, "20251124_000002_b", "b");
    p.up().await.unwrap();
    table(&p.dir, "20251124_000001_a", "a");
    let refused = p.up().await.unwrap_err();
    assert!(refused.to_string().contains("--allow-out-of-order"), "{refused}");
    assert_eq!(refused.class(), ErrorClass::Inconsistent);
    p.run(Track::Migrate, Request::Up { to: None, allow_out_of_order: true }).await.unwrap();
    assert_eq!(tables(&mut p.conn).await, ["a", "b"]);

    // Baseline on a second database that already has the schema.
    let other = TestDb::new();
    let mut conn = other.connect().await;
    sqlx::raw_sql("CREATE SCHEMA app; CREATE TABLE app.a (id int); CREATE TABLE app.b (id int);")
        .execute(&mut conn)
        .await
        .unwrap();
    let set = MigrationSet::load(p.dir.path()).unwrap();
    let v = strata_migrate::Version::parse("20251124_000001").unwrap();
    let recorded = apply::baseline(&mut conn, &set, v, &Options::default()).await.unwrap();
    assert_eq!(recorded.len(), 2);
    let r = run(&mut conn, &p.dir, Track::Migrate, up()).await.unwrap();
    assert_eq!(r.done.len(), 1, "only the file after the baseline runs");
    let unknown = strata_migrate::Version::parse("20990101_000000").unwrap();
    let err = apply::baseline(&mut conn, &set, unknown, &Options::default()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Invalid);
}

// PostgreSQL parses a whole multi-statement message before running it, so a
// syntax error in the third file of a batch stops the first two as well; they
// must still be applied, and the error must name the third file.
#[tokio::test]
async fn syntax_error_late_in_a_batch_applies_the_files_before_it() {
    let mut p = Project::new().await;
    table(&p.dir, "20251124_000001_a", "a");
    table(&p.dir, "20251124_000002_b", "b");
    p.dir.write("migrate", "20251124_000003_c", "SELECT 1;\n\n  CREATE TABLE app.c (id int,);\n", "SELECT 1;");
    table(&p.dir, "20251124_000004_d", "d");
    let failure = p.up().await.unwrap_err();
    let ErrorKind::Sql(f) = failure.kind() else { panic!("{failure}") };
    assert!(f.path.ends_with("20251124_000003_c.up.sql"), "{f}");
    assert_eq!((f.line, f.column, f.code.as_str()), (Some(3), Some(30), "42601"), "{f}");
    assert_eq!(failure.report().done.len(), 3);
    assert_eq!(tables(&mut p.conn).await, ["a", "b"]);
    assert_eq!(history(&mut p.conn).await.len(), 3);
}

#[tokio::test]
async fn many_files_in_batches_each_keep_their_own_history_row() {
    let mut p = Project::new().await;
    p.numbered_tables(150, |i| format!("CREATE TABLE IF NOT EXISTS app.t{i} (id int);\nSELECT {i} AS own_row;"));
    let mut finished = vec![];
    let set = MigrationSet::load(p.dir.path()).unwrap();
    let mut observer = |e: &Event<'_>| {
        if let Event::Finished { migration, .. } = e {
            finished.push(migration.version.seq());
        }
    };
    apply::run(&mut p.conn, &set, Track::Migrate, &up(), &Options::default(), &mut observer).await.unwrap();
    assert_eq!(finished, (0..=150).collect::<Vec<_>>(), "one Finished event per file, in order");
    assert_eq!(history(&mut p.conn).await.len(), 151);
    assert_eq!(tables(&mut p.conn).await.len(), 150);
    let r = p.run(Track::Migrate, Request::Down(DownTarget::All)).await.unwrap();
    assert_eq!(r.done.len(), 151);
    assert!(history(&mut p.conn).await.is_empty());
}

#[tokio::test]
async fn batched_files_each_record_their_own_time() {
    // Batched files shared one now(): each recorded the time since the batch began.
    let mut p = Project::new().await;
    let sleep = |_| "SELECT pg_sleep(0.05);".to_owned();
    p.dir.write_numbered("20251124", 1..=20, sleep, sleep);
    let started = std::time::Instant::now();
    let report = p.up().await.unwrap();
    let wall = started.elapsed().as_millis() as i64;
    assert_eq!(report.done.len(), 21);
    let (sum, each_min): (i64, i64) =
        sqlx::query_as("SELECT sum(execution_ms)::bigint, min(execution_ms) FROM public.migration_history WHERE version > '20251124_000000'")
            .fetch_one(&mut p.conn)
            .await
            .unwrap();
    // Each recorded time is rounded to the millisecond: allow 1 ms per file.
    assert!(sum <= wall + 20, "recorded {sum} ms in all for a run of {wall} ms");
    assert!(each_min >= 45, "each file slept 50 ms, one recorded {each_min}");
    let reported: u64 = report.done.iter().map(|d| d.elapsed_ms).sum();
    assert!(reported as i64 <= wall, "reported {reported} ms for a run of {wall} ms");
}
