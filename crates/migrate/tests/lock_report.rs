//! `migrate plan`'s measurements against a real PostgreSQL: each finding for
//! the risky SQL, and none for its safe variant; the target left untouched.

use sqlx::{Connection, PgConnection};
use strata_migrate::lock_report::{
    self, FindingKind, LockMode, Observed, RelationReport, Report, Severity, StatementReport, Thresholds,
};
use strata_migrate::snapshot::{Catalog, Scope};
use strata_migrate::{MigrationSet, history::HistoryTable};
use strata_testing::{MigrationDir, TestDb};

/// Small enough for a test table of a few thousand rows to be large.
const SMALL: Thresholds = Thresholds { large_table_rows: 1000, large_table_bytes: 1 << 40 };
/// Nothing in a test is large.
const HUGE: Thresholds = Thresholds { large_table_rows: 1 << 40, large_table_bytes: 1 << 40 };

/// A target database with `app.p` (100 rows) and `app.c` (`rows` rows,
/// referencing nothing yet), analyzed, applied by the runner.
struct Target {
    db: TestDb,
    dir: MigrationDir,
}

async fn target(rows: i64, extra: &str) -> Target {
    let dir = MigrationDir::with_app_schema();
    dir.write_up(
        "migrate",
        "20251124_000001_tables",
        &format!(
            "CREATE TABLE IF NOT EXISTS app.p (id int PRIMARY KEY);\n\
             CREATE TABLE IF NOT EXISTS app.c (id int PRIMARY KEY, pid int, v int, t text);\n{extra}"
        ),
    );
    let db = TestDb::new();
    let mut conn = db.connect().await;
    strata_migrate::up_all(&mut conn, dir.path()).await.unwrap();
    sqlx::raw_sql(&format!(
        "INSERT INTO app.p SELECT generate_series(1, 100);
         INSERT INTO app.c SELECT g, g % 100 + 1, g, 'row ' || g FROM generate_series(1, {rows}) g;
         ANALYZE app.p; ANALYZE app.c;"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    Target { db, dir }
}

impl Target {
    /// The plan of one more (pending) file.
    async fn plan(&self, up: &str, thresholds: Thresholds) -> Report {
        self.dir.write_up("migrate", "20251124_000002_step", up);
        let set = MigrationSet::load(self.dir.path()).unwrap();
        let scratch = TestDb::new();
        let mut target = self.db.connect().await;
        let mut conn = scratch.connect().await;
        let mut watcher = scratch.connect().await;
        lock_report::measure(&mut target, &mut conn, &mut watcher, &set, &HistoryTable::default(), &thresholds)
            .await
            .unwrap()
    }

    /// The findings of one more (pending) file, as [`findings`] lists them.
    async fn findings(&self, up: &str, thresholds: Thresholds) -> Vec<(FindingKind, Severity, String)> {
        findings(&self.plan(up, thresholds).await)
    }
}

/// The findings, as `(kind, severity, relation)`.
fn findings(r: &Report) -> Vec<(FindingKind, Severity, String)> {
    r.findings().map(|(_, f)| (f.kind, f.severity, f.relation.clone().unwrap_or_default())).collect()
}

fn c(kind: FindingKind, severity: Severity) -> (FindingKind, Severity, String) {
    (kind, severity, "app.c".into())
}

/// What a statement did to the relation `name`.
fn relation<'a>(s: &'a StatementReport, name: &str) -> &'a RelationReport {
    s.relations.iter().find(|x| x.name == name).unwrap_or_else(|| panic!("{name} is not in {s:#?}"))
}

/// Every history row of the target, with its checksum, as one string.
async fn history(conn: &mut PgConnection) -> String {
    sqlx::query_scalar(
        "SELECT string_agg(track || version || encode(checksum, 'hex'), ',' ORDER BY track, version) FROM public.migration_history",
    )
    .fetch_one(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn adding_a_nullable_column_takes_access_exclusive_without_rewrite() {
    let t = target(3000, "").await;
    let r = t.plan("ALTER TABLE app.c ADD COLUMN IF NOT EXISTS note text;\n", HUGE).await;
    assert_eq!(r.files.len(), 1);
    assert_eq!(r.replayed, 2);
    let s = &r.files[0].statements[0];
    assert_eq!(s.observed, Observed::Exact);
    let rel = relation(s, "app.c");
    assert_eq!(rel.locks, [LockMode::AccessExclusive]);
    assert!(!rel.rewritten && !rel.scanned && !rel.created, "{rel:?}");
    assert!(rel.target.exists);
    assert_eq!(rel.target.rows, Some(3000));
    assert!(rel.target.bytes.unwrap() > 0);
    assert_eq!(findings(&r), []);
}

#[tokio::test]
async fn access_exclusive_on_a_large_table_is_a_warning_and_on_a_small_one_nothing() {
    let t = target(3000, "").await;
    let sql = "ALTER TABLE app.c ADD COLUMN IF NOT EXISTS note text;\n";
    assert_eq!(t.findings(sql, SMALL).await, [c(FindingKind::AccessExclusiveLargeTable, Severity::Warning)]);
    assert_eq!(t.findings(sql, HUGE).await, []);
}

#[tokio::test]
async fn a_volatile_default_rewrites_the_table_and_a_constant_one_does_not() {
    let t = target(3000, "").await;
    let r = t.plan("ALTER TABLE app.c ADD COLUMN IF NOT EXISTS r float8 DEFAULT random();\n", SMALL).await;
    let rel = relation(&r.files[0].statements[0], "app.c");
    assert!(rel.rewritten, "{rel:?}");
    assert_eq!(findings(&r), [c(FindingKind::TableRewrite, Severity::Error)]);
    // The same table under the size limit: still a rewrite, a warning.
    assert_eq!(
        t.findings("ALTER TABLE app.c ADD COLUMN IF NOT EXISTS r float8 DEFAULT random();\n", HUGE).await,
        [c(FindingKind::TableRewrite, Severity::Warning)]
    );
    // A constant default is stored in the catalog (PostgreSQL 11+): no rewrite.
    let safe = t.plan("ALTER TABLE app.c ADD COLUMN IF NOT EXISTS r float8 DEFAULT 0;\n", HUGE).await;
    assert!(!safe.files[0].statements[0].relations.iter().any(|x| x.rewritten));
    assert_eq!(findings(&safe), []);
}

#[tokio::test]
async fn changing_a_column_type_rewrites_the_table_and_its_indexes() {
    let t = target(3000, "").await;
    let r = t.plan("ALTER TABLE app.c ALTER COLUMN v TYPE bigint;\n", SMALL).await;
    let s = &r.files[0].statements[0];
    let rewritten: Vec<&str> = s.relations.iter().filter(|x| x.rewritten).map(|x| x.name.as_str()).collect();
    assert_eq!(rewritten, ["app.c", "app.c_pkey"], "{s:#?}");
    assert_eq!(findings(&r), [c(FindingKind::TableRewrite, Severity::Error)]);
    // varchar(10) -> text is binary coercible: no rewrite.
    let t = target(3000, "ALTER TABLE app.c ADD COLUMN IF NOT EXISTS code varchar(10);\n").await;
    assert_eq!(t.findings("ALTER TABLE app.c ALTER COLUMN code TYPE text;\n", HUGE).await, []);
}

#[tokio::test]
async fn a_foreign_key_validates_the_whole_table_unless_not_valid() {
    let t = target(3000, "").await;
    let fk = "ALTER TABLE app.c ADD CONSTRAINT c_pid_fkey FOREIGN KEY (pid) REFERENCES app.p (id)";
    let r = t.plan(&format!("{fk};\n"), SMALL).await;
    assert_eq!(findings(&r), [c(FindingKind::FullTableValidation, Severity::Error)]);
    let s = &r.files[0].statements[0];
    let p = relation(s, "app.p");
    assert!(p.locks.contains(&LockMode::ShareRowExclusive), "{p:?}");
    let c_ = relation(s, "app.c");
    assert!(c_.scanned && c_.locks.contains(&LockMode::ShareRowExclusive), "{c_:?}");
    assert_eq!(t.findings(&format!("{fk} NOT VALID;\n"), SMALL).await, []);
    // VALIDATE CONSTRAINT reads the table too, but under SHARE UPDATE EXCLUSIVE: no finding.
    let validate = t.plan(&format!("{fk} NOT VALID;\nALTER TABLE app.c VALIDATE CONSTRAINT c_pid_fkey;\n"), HUGE).await;
    assert_eq!(findings(&validate), []);
    let v = relation(&validate.files[0].statements[1], "app.c");
    assert!(v.scanned && v.locks == [LockMode::ShareUpdateExclusive], "{v:?}");
}

#[tokio::test]
async fn a_check_constraint_validates_the_whole_table_unless_not_valid() {
    let t = target(3000, "").await;
    assert_eq!(
        t.findings("ALTER TABLE app.c ADD CONSTRAINT c_v_check CHECK (v > 0);\n", HUGE).await,
        [c(FindingKind::FullTableValidation, Severity::Warning)]
    );
    assert_eq!(t.findings("ALTER TABLE app.c ADD CONSTRAINT c_v_check CHECK (v > 0) NOT VALID;\n", HUGE).await, []);
}

#[tokio::test]
async fn set_not_null_scans_unless_a_valid_check_proves_it() {
    let t = target(3000, "").await;
    let r = t.plan("ALTER TABLE app.c ALTER COLUMN v SET NOT NULL;\n", SMALL).await;
    assert_eq!(findings(&r), [c(FindingKind::FullTableValidation, Severity::Error)]);
    assert!(r.files[0].findings[0].message.starts_with("SET NOT NULL reads all of app.c"), "{r:#?}");
    // With a validated CHECK (v IS NOT NULL), PostgreSQL skips the scan.
    let t = target(
        3000,
        "ALTER TABLE app.c ADD CONSTRAINT c_v_not_null CHECK (v IS NOT NULL) NOT VALID;\n\
         ALTER TABLE app.c VALIDATE CONSTRAINT c_v_not_null;\n",
    )
    .await;
    let safe = t.plan("ALTER TABLE app.c ALTER COLUMN v SET NOT NULL;\n", SMALL).await;
    let rel = relation(&safe.files[0].statements[0], "app.c");
    assert!(!rel.scanned, "{rel:?}");
    // Only the brief ACCESS EXCLUSIVE of the ALTER remains.
    assert_eq!(findings(&safe), [c(FindingKind::AccessExclusiveLargeTable, Severity::Warning)]);
}

#[tokio::test]
async fn create_index_without_concurrently_on_a_non_empty_table() {
    let t = target(3000, "").await;
    let r = t.plan("CREATE INDEX IF NOT EXISTS c_v ON app.c (v);\n", SMALL).await;
    assert_eq!(findings(&r), [c(FindingKind::IndexWithoutConcurrently, Severity::Error)]);
    let s = &r.files[0].statements[0];
    let table = relation(s, "app.c");
    assert_eq!(table.locks, [LockMode::Share]);
    let index = relation(s, "app.c_v");
    assert!(index.created && !index.target.exists, "{index:?}");

    let safe =
        t.plan("-- strata:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS c_v ON app.c (v);\n", SMALL).await;
    assert_eq!(findings(&safe), []);
    let s = &safe.files[0].statements[0];
    assert_eq!(s.observed, Observed::Sampled);
    // Whatever the sampling caught on the table, it was never a lock that blocks writes
    // (the new index itself is locked ACCESS EXCLUSIVE while it is created: nobody sees it yet).
    for rel in s.relations.iter().filter(|r| !r.created) {
        assert!(rel.locks.iter().all(|m| *m <= LockMode::ShareUpdateExclusive), "{rel:?}");
    }
}

#[tokio::test]
async fn create_index_on_an_empty_table_is_no_finding() {
    let t = target(0, "").await;
    assert_eq!(t.findings("CREATE INDEX IF NOT EXISTS c_v ON app.c (v);\n", SMALL).await, []);
}

#[tokio::test]
async fn tables_new_on_the_target_make_no_finding() {
    let t = target(3000, "").await;
    let r = t
        .plan(
            "CREATE TABLE IF NOT EXISTS app.n (id int PRIMARY KEY, v int);\n\
             ALTER TABLE app.n ADD COLUMN IF NOT EXISTS r float8 DEFAULT random();\n\
             CREATE INDEX IF NOT EXISTS n_v ON app.n (v);\n",
            SMALL,
        )
        .await;
    assert!(r.files[0].statements[1].relations.iter().any(|x| x.name == "app.n" && x.rewritten && !x.target.exists));
    assert_eq!(findings(&r), []);
}

#[tokio::test]
async fn a_no_transaction_file_runs_its_plain_statements_in_transactions_of_their_own() {
    let t = target(3000, "").await;
    let r = t
        .plan(
            "-- strata:no-transaction\nCREATE INDEX IF NOT EXISTS c_v ON app.c (v);\nUPDATE app.c SET t = 'x' WHERE id = 1;\n",
            SMALL,
        )
        .await;
    let f = &r.files[0];
    assert_eq!(f.statements[0].observed, Observed::Exact);
    assert_eq!(findings(&r), [c(FindingKind::IndexWithoutConcurrently, Severity::Error)]);
    // The UPDATE's locks only: the index build's transaction has committed.
    let upd = &f.statements[1].relations;
    assert_eq!(upd.iter().find(|x| x.name == "app.c").unwrap().locks, [LockMode::RowExclusive], "{upd:?}");
}

#[tokio::test]
async fn a_file_that_fails_on_the_replay_is_an_error_finding() {
    let t = target(10, "").await;
    let r = t
        .plan("ALTER TABLE app.c ADD COLUMN IF NOT EXISTS v2 int;\nALTER TABLE app.nope ADD COLUMN x int;\n", HUGE)
        .await;
    let f = &r.files[0].findings;
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].kind, f[0].severity, f[0].statement, f[0].line),
        (FindingKind::Fails, Severity::Error, Some(2), 2)
    );
    assert!(f[0].message.contains("app.nope") && f[0].message.contains("42P01"), "{}", f[0].message);
}

/// Planning reads the target's catalog and history only: nothing there changes,
/// and a session holding ACCESS EXCLUSIVE on the table being altered does not
/// hold it up (planning takes no lock on the target's tables).
#[tokio::test]
async fn the_target_is_neither_changed_nor_locked() {
    let t = target(3000, "").await;
    let scope = Scope { history: HistoryTable::default(), data: true };
    let mut conn = t.db.connect().await;
    let before = Catalog::full(&mut conn, &scope, &[]).await.unwrap().lines();
    let history_before = history(&mut conn).await;
    let mut blocker = sqlx::PgConnection::connect(t.db.url()).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE app.c IN ACCESS EXCLUSIVE MODE;").execute(&mut blocker).await.unwrap();
    let report = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        t.plan("ALTER TABLE app.c ADD COLUMN IF NOT EXISTS r float8 DEFAULT random();\n", SMALL),
    )
    .await
    .expect("planning does not wait for the target's locks");
    sqlx::raw_sql("ROLLBACK").execute(&mut blocker).await.unwrap();
    assert_eq!(findings(&report), [c(FindingKind::TableRewrite, Severity::Error)]);
    let after = Catalog::full(&mut conn, &scope, &[]).await.unwrap().lines();
    assert_eq!(before, after);
    assert_eq!(history(&mut conn).await, history_before);
}

/// Pending seeds are measured too, after the migrate track, COPY data included;
/// a lock an earlier statement took shows as held.
#[tokio::test]
async fn pending_seeds_are_measured_after_migrations() {
    let t = target(10, "").await;
    t.dir.write_up(
        "seed",
        "20251124_000003_rows",
        "LOCK TABLE app.p IN SHARE ROW EXCLUSIVE MODE;\nCOPY app.p (id) FROM STDIN;\n1001\n1002\n\\.\nINSERT INTO app.p VALUES (1003) ON CONFLICT DO NOTHING;\n",
    );
    let r = t.plan("ALTER TABLE app.c ADD COLUMN IF NOT EXISTS note text;\n", HUGE).await;
    let tracks: Vec<String> = r.files.iter().map(|f| format!("{} {}", f.track, f.version)).collect();
    assert_eq!(tracks, ["migrate 20251124_000002", "seed 20251124_000003"]);
    let s = &r.files[1].statements;
    assert_eq!(s.len(), 3);
    let copy = relation(&s[1], "app.p");
    assert_eq!(
        (copy.locks.as_slice(), copy.held),
        ([LockMode::RowExclusive].as_slice(), Some(LockMode::ShareRowExclusive))
    );
    assert_eq!(findings(&r), []);
}

/// Regression: an applied seed with `COPY ... FROM STDIN` data could not be
/// replayed (the data was sent as SQL), so no plan could be made after it.
#[tokio::test]
async fn an_applied_file_with_copy_data_is_replayed() {
    let t = target(10, "").await;
    t.dir.write_up("seed", "20251124_000003_rows", "COPY app.p (id) FROM STDIN;\n1001\n1002\n\\.\n");
    let mut conn = t.db.connect().await;
    strata_migrate::up_all(&mut conn, t.dir.path()).await.unwrap();
    let r = t.plan("INSERT INTO app.p VALUES (1001) ON CONFLICT DO NOTHING;\n", HUGE).await;
    assert_eq!(r.replayed, 3);
    assert_eq!(findings(&r), []);
}
