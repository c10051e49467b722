//! `migrate plan`: what each pending file will lock, measured before it runs.
//!
//! On a scratch database where the target's applied files were replayed, each
//! pending file (migrate track, then seed track) runs statement by statement,
//! and after each statement PostgreSQL itself says what it did:
//!
//! - the relation locks this backend holds (`pg_locks`, `locktype = 'relation'`;
//!   the virtualxid/transactionid rows are not relation locks and the locks on
//!   `pg_catalog`, `pg_toast` and `information_schema` relations are hidden: every
//!   DDL statement and our own catalog reads take them);
//! - which relations it rewrote (`pg_class.relfilenode` changed), created, and
//!   read in full (`pg_stat_xact_all_tables.seq_scan` went up: a validation, an
//!   index build or a rewrite reads the whole table, whatever its size);
//! - the constraints it added already validated (`pg_constraint.convalidated`)
//!   and the columns it made `NOT NULL` (`pg_attribute.attnotnull`).
//!
//! The files run on the scratch database only, which is thrown away: a
//! transactional file runs in one transaction that is committed there (the next
//! pending file may build on it); a no-transaction file's statements run one at
//! a time, each in a transaction of its own unless PostgreSQL refuses one
//! (`CREATE INDEX CONCURRENTLY` and the like), whose locks are sampled from a
//! second connection while it runs (a lock held for less than the sampling
//! interval, about a millisecond, can be missed).
//!
//! The sizes come from the **target** database's catalog only, so planning takes
//! no lock on the target's tables and never waits behind a running migration:
//! rows are the larger of `pg_class.reltuples` and `pg_stat_all_tables.n_live_tup`,
//! bytes are `relpages × block_size` of the table, its TOAST table and its
//! indexes, as of the last VACUUM or ANALYZE (`pg_total_relation_size` would
//! take ACCESS SHARE on each table). A relation absent from the target is new:
//! nobody else can be waiting for it, so it never makes a finding.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgConnection;

use crate::error::{Error, ErrorKind};
use crate::history::{self, HistoryTable};
use crate::plan::{self, Direction, Request};
use crate::replay;
use crate::source::{Migration, MigrationSet, Track};

/// When a table counts as large: either limit reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Thresholds {
    /// Estimated rows.
    pub large_table_rows: u64,
    /// Estimated bytes of the table, its TOAST table and its indexes.
    pub large_table_bytes: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { large_table_rows: 100_000, large_table_bytes: 100 * 1024 * 1024 }
    }
}

/// The whole report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub thresholds: Thresholds,
    /// Applied files replayed on the scratch database first.
    pub replayed: usize,
    /// Every pending file, in the order `up` would run them.
    pub files: Vec<FileReport>,
}

impl Report {
    /// Every finding, with the file it is in.
    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files.iter().flat_map(|f| f.findings.iter().map(move |x| (f, x)))
    }

    /// The most severe finding, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings().map(|(_, f)| f.severity).max()
    }
}

/// One pending file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    pub track: Track,
    pub version: crate::source::Version,
    pub description: String,
    pub path: std::path::PathBuf,
    pub no_transaction: bool,
    pub statements: Vec<StatementReport>,
    pub findings: Vec<Finding>,
}

/// How the locks of a statement were seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Observed {
    /// Read from `pg_locks` in the statement's own transaction, after it ran.
    Exact,
    /// Sampled from a second connection while it ran (it cannot run in a transaction).
    Sampled,
}

/// One statement of a file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatementReport {
    /// 1-based, among the file's statements.
    pub index: usize,
    /// 1-based line where it starts.
    pub line: usize,
    /// Its first line, shortened.
    pub sql: String,
    /// How long it ran on the scratch database (not the target: no data there).
    pub duration_ms: f64,
    pub observed: Observed,
    /// The relations it locked (new locks: those taken by earlier statements of
    /// the same transaction are still held, and listed under those).
    pub relations: Vec<RelationReport>,
    /// What the catalog says it added, by table, for the findings.
    #[serde(skip)]
    notes: Vec<(String, Note)>,
}

/// What a statement did to one relation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RelationReport {
    /// `schema.name`.
    pub name: String,
    pub kind: RelKind,
    /// Lock modes it took, weakest first (`ACCESS EXCLUSIVE`...).
    pub locks: Vec<LockMode>,
    /// Created by this statement.
    pub created: bool,
    /// Its file was replaced (`relfilenode` changed): every row was copied.
    pub rewritten: bool,
    /// Read in full (a sequential scan).
    pub scanned: bool,
    /// Its size on the target database.
    pub target: Target,
    /// The strongest lock held on it after the statement, taken by it or by an
    /// earlier statement of the same transaction (none for a sampled statement
    /// that was not seen holding one).
    pub held: Option<LockMode>,
}

/// Where a relation stands on the target database.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Target {
    /// It exists there (else it is new: created by a pending file).
    pub exists: bool,
    /// Estimated rows (tables), none when never counted.
    pub rows: Option<u64>,
    /// Estimated bytes (see the module docs).
    pub bytes: Option<u64>,
    #[serde(skip)]
    heap_pages: i64,
}

impl Target {
    const NEW: Target = Target { exists: false, rows: None, bytes: None, heap_pages: 0 };

    fn large(&self, t: &Thresholds) -> bool {
        self.exists && (self.rows.unwrap_or(0) >= t.large_table_rows || self.bytes.unwrap_or(0) >= t.large_table_bytes)
    }

    fn empty(&self) -> bool {
        !self.exists || (self.rows.unwrap_or(0) == 0 && self.heap_pages == 0)
    }
}

/// The kind of relation (`pg_class.relkind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelKind {
    Table,
    PartitionedTable,
    Index,
    PartitionedIndex,
    Sequence,
    View,
    MaterializedView,
    Other,
}

impl RelKind {
    fn from_relkind(c: &str) -> RelKind {
        match c {
            "r" => RelKind::Table,
            "p" => RelKind::PartitionedTable,
            "i" => RelKind::Index,
            "I" => RelKind::PartitionedIndex,
            "S" => RelKind::Sequence,
            "v" => RelKind::View,
            "m" => RelKind::MaterializedView,
            _ => RelKind::Other,
        }
    }

    fn is_table(self) -> bool {
        matches!(self, RelKind::Table | RelKind::PartitionedTable | RelKind::MaterializedView)
    }
}

/// PostgreSQL's table lock modes, weakest first (serialized as SQL writes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum LockMode {
    #[serde(rename = "ACCESS SHARE")]
    AccessShare,
    #[serde(rename = "ROW SHARE")]
    RowShare,
    #[serde(rename = "ROW EXCLUSIVE")]
    RowExclusive,
    #[serde(rename = "SHARE UPDATE EXCLUSIVE")]
    ShareUpdateExclusive,
    #[serde(rename = "SHARE")]
    Share,
    #[serde(rename = "SHARE ROW EXCLUSIVE")]
    ShareRowExclusive,
    #[serde(rename = "EXCLUSIVE")]
    Exclusive,
    #[serde(rename = "ACCESS EXCLUSIVE")]
    AccessExclusive,
}

impl LockMode {
    fn parse(mode: &str) -> Option<LockMode> {
        Some(match mode {
            "AccessShareLock" => LockMode::AccessShare,
            "RowShareLock" => LockMode::RowShare,
            "RowExclusiveLock" => LockMode::RowExclusive,
            "ShareUpdateExclusiveLock" => LockMode::ShareUpdateExclusive,
            "ShareLock" => LockMode::Share,
            "ShareRowExclusiveLock" => LockMode::ShareRowExclusive,
            "ExclusiveLock" => LockMode::Exclusive,
            "AccessExclusiveLock" => LockMode::AccessExclusive,
            _ => return None,
        })
    }

    /// As SQL writes it: `ACCESS EXCLUSIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// What it keeps other sessions from doing while held.
    pub fn blocks(self) -> &'static str {
        match self {
            LockMode::AccessShare | LockMode::RowShare | LockMode::RowExclusive | LockMode::ShareUpdateExclusive => {
                "blocks other DDL only"
            }
            LockMode::Share | LockMode::ShareRowExclusive | LockMode::Exclusive => "blocks writes",
            LockMode::AccessExclusive => "blocks reads and writes",
        }
    }
}

/// How bad a finding is: an error makes `migrate plan` exit 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// What was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// ACCESS EXCLUSIVE on a large table (reads queue behind it and behind its wait).
    AccessExclusiveLargeTable,
    /// The table is rewritten under ACCESS EXCLUSIVE.
    TableRewrite,
    /// A new FOREIGN KEY or CHECK constraint, or SET NOT NULL, read the whole table under lock.
    FullTableValidation,
    /// An index built on a non-empty table without CONCURRENTLY (writes blocked meanwhile).
    IndexWithoutConcurrently,
    /// The file cannot run: the runner refuses it, or it fails on the replay.
    Fails,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::AccessExclusiveLargeTable => "access-exclusive-large-table",
            FindingKind::TableRewrite => "table-rewrite",
            FindingKind::FullTableValidation => "full-table-validation",
            FindingKind::IndexWithoutConcurrently => "index-without-concurrently",
            FindingKind::Fails => "fails",
        }
    }
}

/// One finding, on one statement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub kind: FindingKind,
    /// 1-based statement index (none when the file as a whole is refused).
    pub statement: Option<usize>,
    /// 1-based line in the file.
    pub line: usize,
    /// `schema.name` of the table concerned.
    pub relation: Option<String>,
    /// What happened and what to do instead.
    pub message: String,
}

/// Replays on `scratch` (an empty database) what `target`'s history lists as
/// applied, then measures every pending file there. `watcher` is a second
/// connection to `scratch`, which samples the locks of statements that cannot
/// run in a transaction. Nothing is written on `target`: it is only read
/// (its history table and its catalog).
pub async fn measure(
    target: &mut PgConnection,
    scratch: &mut PgConnection,
    watcher: &mut PgConnection,
    set: &MigrationSet,
    history_table: &HistoryTable,
    thresholds: &Thresholds,
) -> Result<Report, Error> {
    let mut rows = history::read(target, history_table).await?;
    let mut pending: Vec<&Migration> = vec![];
    for track in Track::ALL {
        // The runner's own refusals (an applied file edited or missing...) hold here too.
        let request = Request::Up { to: None, allow_out_of_order: true };
        pending.extend(plan::plan(track, set.track(track), &rows, &request)?.steps);
    }
    rows.sort_by(|a, b| {
        (a.applied_at, a.track != Track::Migrate, a.version).cmp(&(b.applied_at, b.track != Track::Migrate, b.version))
    });
    let mut report = Report { thresholds: *thresholds, replayed: 0, files: vec![] };
    // plan() refused any row without its unchanged file. In as few transactions as possible.
    let applied: Vec<&Migration> =
        rows.iter().filter_map(|row| set.track(row.track).iter().find(|m| m.version == row.version)).collect();
    replay::run_many(scratch, &applied, Direction::Up).await??;
    report.replayed = applied.len();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *scratch)
        .await
        .map_err(|e| Error::database("reading the scratch backend's pid", e))?;
    for m in pending {
        let mut file = measure_file(scratch, watcher, pid, m).await?;
        let sizes = sizes(target, &file).await?;
        for s in &mut file.statements {
            for r in &mut s.relations {
                r.target = sizes.get(&r.name).copied().unwrap_or(Target::NEW);
            }
        }
        let failed = !file.findings.is_empty();
        judge(&mut file, thresholds);
        report.files.push(file);
        if failed {
            // Later files may build on this one: what they would do is unknown.
            break;
        }
    }
    Ok(report)
}

/// One relation of the scratch database, as the catalog shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Rel {
    oid: i64,
    name: String,
    relkind: String,
    relfilenode: i64,
    /// The table of an index.
    parent: Option<i64>,
    seq_scan: Option<i64>,
    not_null: i64,
}

/// The scratch database's user relations and validated constraints, at one point.
#[derive(Debug, Default)]
struct State {
    rels: BTreeMap<i64, Rel>,
    /// FOREIGN KEY and CHECK constraints: oid -> (table, contype, validated).
    constraints: BTreeMap<i64, (i64, String, bool)>,
}

const RELATIONS: &str = "
SELECT c.oid::int8 AS oid, format('%s.%s', n.nspname, c.relname) AS name, c.relkind::text AS relkind,
       c.relfilenode::int8 AS relfilenode, i.indrelid::int8 AS parent, s.seq_scan,
       (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attnotnull) AS not_null
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_stat_xact_all_tables s ON s.relid = c.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'
  AND n.nspname NOT LIKE 'pg_toast_temp%'";

const CONSTRAINTS: &str = "SELECT oid::int8, conrelid::int8, contype::text, convalidated FROM pg_constraint WHERE contype IN ('f', 'c') AND conrelid <> 0";

const LOCKS: &str = "SELECT relation::int8, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

async fn state(conn: &mut PgConnection) -> Result<State, Error> {
    let rels: Vec<Rel> = sqlx::query_as(RELATIONS)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::database("reading the scratch database's relations", e))?;
    let cons: Vec<(i64, i64, String, bool)> = sqlx::query_as(CONSTRAINTS)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::database("reading the scratch database's constraints", e))?;
    Ok(State {
        rels: rels.into_iter().map(|r| (r.oid, r)).collect(),
        constraints: cons.into_iter().map(|(o, t, k, v)| (o, (t, k, v))).collect(),
    })
}

async fn locks(conn: &mut PgConnection, pid: i32) -> Result<BTreeSet<(i64, LockMode)>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(LOCKS).bind(pid).fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().filter_map(|(r, m)| Some((r, LockMode::parse(&m)?))).collect())
}

/// What one statement did, before sizes are known.
struct Step {
    /// The locks it took.
    locks: BTreeSet<(i64, LockMode)>,
    /// Every lock held after it (the earlier statements' too).
    held: BTreeSet<(i64, LockMode)>,
    duration: Duration,
}

async fn measure_file(
    scratch: &mut PgConnection,
    watcher: &mut PgConnection,
    pid: i32,
    m: &Migration,
) -> Result<FileReport, Error> {
    let file = &m.up;
    let mut report = FileReport {
        track: m.track,
        version: m.version,
        description: m.description.clone(),
        path: file.path.clone(),
        no_transaction: file.no_transaction,
        statements: vec![],
        findings: vec![],
    };
    if let Err(e) = crate::preflight::check(file) {
        let line = match e.kind() {
            ErrorKind::Unrunnable { line, .. } => *line,
            _ => 1,
        };
        report.findings.push(fails(None, line, format!("the runner refuses this file: {e}")));
        return Ok(report);
    }
    let script = file.script()?;
    let in_transaction = !file.no_transaction;
    if in_transaction {
        exec(scratch, "BEGIN").await?;
    }
    let mut held: BTreeSet<(i64, LockMode)> = BTreeSet::new();
    for (index, (s, data)) in (1..).zip(script.statements_with_data()) {
        // A no-transaction file: each statement in a transaction of its own, so
        // its locks can be read exactly, unless PostgreSQL refuses that.
        let own = !in_transaction && s.needs_no_transaction().is_none() && s.transaction_control().is_none();
        if own {
            exec(scratch, "BEGIN").await?;
            held.clear();
        }
        let before = state(scratch).await?;
        let sampled = !in_transaction && !own;
        let (result, step) = if sampled {
            run_sampled(scratch, watcher, pid, s.text).await
        } else {
            let start = Instant::now();
            let result = replay::statement(scratch, s.text, data).await;
            let duration = start.elapsed();
            if result.is_ok() {
                let now = locks(scratch, pid).await.map_err(|e| Error::database("reading pg_locks", e))?;
                let new: BTreeSet<_> = now.difference(&held).copied().collect();
                held = now;
                (result, Step { locks: new, held: held.clone(), duration })
            } else {
                (result, Step { locks: BTreeSet::new(), held: BTreeSet::new(), duration })
            }
        };
        if let Err(err) = result {
            let message = match err.as_database_error() {
                Some(db) => format!(
                    "fails on the scratch database: {} (SQLSTATE {})",
                    db.message(),
                    db.code().unwrap_or_default()
                ),
                None => format!("fails on the scratch database: {err}"),
            };
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *scratch).await;
            report.findings.push(fails(Some(index), s.line, message));
            return Ok(report);
        }
        let after = state(scratch).await?;
        report.statements.push(describe(index, s.line, s.text, sampled, &step, &before, &after));
        if own {
            exec(scratch, "COMMIT").await?;
        }
    }
    if in_transaction {
        // The scratch database is thrown away; the next pending file may need this one.
        exec(scratch, "COMMIT").await?;
    }
    Ok(report)
}

fn fails(statement: Option<usize>, line: usize, message: String) -> Finding {
    Finding { severity: Severity::Error, kind: FindingKind::Fails, statement, line, relation: None, message }
}

async fn exec(conn: &mut PgConnection, sql: &'static str) -> Result<(), Error> {
    sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(|e| Error::database("running on the scratch database", e))?;
    Ok(())
}

/// Runs a statement outside any transaction while `watcher` samples the locks
/// of `pid` until it ends.
async fn run_sampled(
    scratch: &mut PgConnection,
    watcher: &mut PgConnection,
    pid: i32,
    text: &str,
) -> (Result<(), sqlx::Error>, Step) {
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let statement = async {
        let r = sqlx::raw_sql(text).execute(&mut *scratch).await.map(|_| ());
        done.store(true, Ordering::SeqCst);
        (r, start.elapsed())
    };
    let sampler = async {
        let mut seen = BTreeSet::new();
        while !done.load(Ordering::SeqCst) {
            if let Ok(now) = locks(watcher, pid).await {
                seen.extend(now);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        seen
    };
    let ((result, duration), locks) = tokio::join!(statement, sampler);
    (result, Step { held: locks.clone(), locks, duration })
}

fn describe(
    index: usize,
    line: usize,
    text: &str,
    sampled: bool,
    step: &Step,
    before: &State,
    after: &State,
) -> StatementReport {
    let mut by_rel: BTreeMap<i64, Vec<LockMode>> = BTreeMap::new();
    for (oid, mode) in &step.locks {
        by_rel.entry(*oid).or_default().push(*mode);
    }
    // Relations rewritten or read in full are reported even without a new lock
    // (an earlier statement of the transaction took it).
    for (oid, rel) in &after.rels {
        let old = before.rels.get(oid);
        let rewritten = old.is_some_and(|o| o.relfilenode != rel.relfilenode);
        let scanned = rel.seq_scan.unwrap_or(0) > old.and_then(|o| o.seq_scan).unwrap_or(0) && old.is_some();
        if rewritten || scanned {
            by_rel.entry(*oid).or_default();
        }
    }
    let relations = by_rel
        .into_iter()
        .filter_map(|(oid, mut locks)| {
            // Only user relations (catalog and TOAST relations are not in the states).
            let rel = after.rels.get(&oid).or_else(|| before.rels.get(&oid))?;
            let old = before.rels.get(&oid);
            locks.sort();
            Some(RelationReport {
                name: rel.name.clone(),
                kind: RelKind::from_relkind(&rel.relkind),
                locks,
                created: old.is_none(),
                rewritten: old.is_some_and(|o| after.rels.get(&oid).is_some_and(|a| a.relfilenode != o.relfilenode)),
                scanned: old.is_some_and(|o| {
                    after.rels.get(&oid).and_then(|a| a.seq_scan).unwrap_or(0) > o.seq_scan.unwrap_or(0)
                }),
                target: Target::NEW,
                held: step.held.iter().filter(|(o, _)| *o == oid).map(|(_, m)| *m).max(),
            })
        })
        .collect();
    let mut report = StatementReport {
        index,
        line,
        sql: short(text),
        duration_ms: (step.duration.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
        observed: if sampled { Observed::Sampled } else { Observed::Exact },
        relations,
        notes: notes(before, after),
    };
    report.relations.sort_by(|a, b| a.name.cmp(&b.name));
    report
}

/// Which tables got a new validated constraint or a new NOT NULL column, and
/// which tables got a new index.
fn notes(before: &State, after: &State) -> Vec<(String, Note)> {
    let mut notes: Vec<(String, Note)> = vec![];
    for (oid, (table, kind, validated)) in &after.constraints {
        if *validated
            && !before.constraints.contains_key(oid)
            && let Some(t) = after.rels.get(table)
        {
            notes.push((t.name.clone(), if kind == "f" { Note::ForeignKey } else { Note::Check }));
        }
    }
    for (oid, rel) in &after.rels {
        if let Some(old) = before.rels.get(oid)
            && rel.not_null > old.not_null
        {
            notes.push((rel.name.clone(), Note::NotNull));
        }
        if !before.rels.contains_key(oid)
            && matches!(rel.relkind.as_str(), "i" | "I")
            && let Some(table) = rel.parent.and_then(|p| after.rels.get(&p))
        {
            notes.push((table.name.clone(), Note::Index(rel.name.clone())));
        }
    }
    notes
}

#[derive(Debug, Clone)]
enum Note {
    ForeignKey,
    Check,
    NotNull,
    Index(String),
}

/// The first line of a statement, at most 80 characters, ` …` when cut.
fn short(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim_end();
    let mut s: String = first.chars().take(80).collect();
    if first.chars().nth(80).is_some() || text.lines().nth(1).is_some() {
        s.push_str(" …");
    }
    s
}

/// The target's sizes of every relation named in `file`.
async fn sizes(target: &mut PgConnection, file: &FileReport) -> Result<BTreeMap<String, Target>, Error> {
    let names: BTreeSet<&str> =
        file.statements.iter().flat_map(|s| s.relations.iter().map(|r| r.name.as_str())).collect();
    if names.is_empty() {
        return Ok(BTreeMap::new());
    }
    let names: Vec<&str> = names.into_iter().collect();
    let rows: Vec<(String, f64, Option<i64>, i64, i64)> = sqlx::query_as(
        "SELECT format('%s.%s', n.nspname, c.relname), c.reltuples::float8, s.n_live_tup, c.relpages::int8,
                ((c.relpages::int8 + coalesce(t.relpages, 0)
                  + coalesce((SELECT sum(ic.relpages) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                              WHERE x.indrelid = c.oid), 0))
                 * current_setting('block_size')::int8)::int8
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
         LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
         WHERE format('%s.%s', n.nspname, c.relname) = ANY($1)",
    )
    .bind(&names)
    .fetch_all(&mut *target)
    .await
    .map_err(|e| Error::database("reading relation sizes on the target database", e))?;
    Ok(rows
        .into_iter()
        .map(|(name, reltuples, live, pages, bytes)| {
            let rows = [reltuples as i64, live.unwrap_or(-1)].into_iter().max().filter(|r| *r >= 0);
            (name, Target { exists: true, rows: rows.map(|r| r as u64), bytes: Some(bytes as u64), heap_pages: pages })
        })
        .collect())
}

/// The findings of a measured file.
fn judge(file: &mut FileReport, t: &Thresholds) {
    let size = |target: &Target| match (target.rows, target.bytes) {
        (Some(r), Some(b)) => format!("~{r} rows, {} on the target", human_bytes(b)),
        (None, Some(b)) => format!("{} on the target", human_bytes(b)),
        _ => "on the target".to_owned(),
    };
    let by_size = |target: &Target| if target.large(t) { Severity::Error } else { Severity::Warning };
    for s in &file.statements {
        let notes = &s.notes;
        let rel = |name: &str| s.relations.iter().find(|r| r.name == name);
        let mut found: Vec<Finding> = vec![];
        let flagged = |found: &[Finding], name: &str| found.iter().any(|f| f.relation.as_deref() == Some(name));
        let push = |found: &mut Vec<Finding>, severity, kind, relation: &str, message: String| {
            found.push(Finding {
                severity,
                kind,
                statement: Some(s.index),
                line: s.line,
                relation: Some(relation.to_owned()),
                message,
            });
        };
        for r in s.relations.iter().filter(|r| r.kind.is_table() && r.target.exists) {
            if r.rewritten {
                push(
                    &mut found,
                    by_size(&r.target),
                    FindingKind::TableRewrite,
                    &r.name,
                    format!(
                        "rewrites {} ({}) under ACCESS EXCLUSIVE: reads and writes wait until every row is copied; \
                         add the column without a volatile default (then backfill in batches), or change the type \
                         through a new column",
                        r.name,
                        size(&r.target)
                    ),
                );
            }
        }
        for (table, note) in notes {
            let Some(r) = rel(table).filter(|r| r.target.exists && !flagged(&found, &r.name)) else { continue };
            let Some(strongest) = r.held else { continue };
            match note {
                Note::Index(index) if !r.target.empty() && strongest >= LockMode::Share => push(
                    &mut found,
                    by_size(&r.target),
                    FindingKind::IndexWithoutConcurrently,
                    &r.name,
                    format!(
                        "builds index {index} on {} ({}) holding {} ({}) for the whole build; use CREATE INDEX \
                         CONCURRENTLY in a `-- strata:no-transaction` file",
                        r.name,
                        size(&r.target),
                        strongest.as_str(),
                        strongest.blocks()
                    ),
                ),
                Note::ForeignKey | Note::Check | Note::NotNull if r.scanned => {
                    let (what, fix) = match note {
                        Note::ForeignKey => (
                            "a new FOREIGN KEY",
                            "add it NOT VALID, then VALIDATE CONSTRAINT in a later file (SHARE UPDATE EXCLUSIVE only)",
                        ),
                        Note::Check => (
                            "a new CHECK constraint",
                            "add it NOT VALID, then VALIDATE CONSTRAINT in a later file (SHARE UPDATE EXCLUSIVE only)",
                        ),
                        _ => (
                            "SET NOT NULL",
                            "first add CHECK (column IS NOT NULL) NOT VALID and VALIDATE it; SET NOT NULL then skips the scan",
                        ),
                    };
                    push(
                        &mut found,
                        by_size(&r.target),
                        FindingKind::FullTableValidation,
                        &r.name,
                        format!(
                            "{what} reads all of {} ({}) holding {} ({}); {fix}",
                            r.name,
                            size(&r.target),
                            strongest.as_str(),
                            strongest.blocks()
                        ),
                    );
                }
                _ => {}
            }
        }
        for r in s.relations.iter().filter(|r| r.kind.is_table() && r.target.large(t)) {
            if r.locks.contains(&LockMode::AccessExclusive) && !flagged(&found, &r.name) {
                push(
                    &mut found,
                    Severity::Warning,
                    FindingKind::AccessExclusiveLargeTable,
                    &r.name,
                    format!(
                        "takes ACCESS EXCLUSIVE on {} ({}), held until the file commits: every query on it waits, \
                         also while this statement waits for the lock; keep the file short and the lock timeout on",
                        r.name,
                        size(&r.target)
                    ),
                );
            }
        }
        file.findings.extend(found);
    }
}

/// A size as people read it: `812 bytes`, `96.0 kB`, `12.3 MB`.
pub fn human_bytes(b: u64) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{b} bytes") } else { format!("{v:.1} {}", units[u]) }
}
