//! The executor: runs a plan on PostgreSQL under the runner lock.
//!
//! A transactional file is sent as one simple-protocol query,
//! `BEGIN; <file>; <history row>; COMMIT;`: one round trip, and the file and its
//! history row commit together or not at all. A no-transaction file is split into
//! statements sent one by one, bracketed by a `failed` history row that becomes
//! `applied` only after the last statement.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sqlx::postgres::{PgDatabaseError, PgErrorPosition};
use sqlx::{Column, PgConnection, Row};

use crate::error::{Error, SqlFailure};
use crate::history::{self, AppliedRow, HistoryTable, RowStatus, literal};
use crate::locate::line_col;
use crate::lock::{self, LockHolder};
use crate::plan::{self, Direction, Request, State};
use crate::source::{Migration, MigrationSet, SqlFile, Track, Version};
use crate::split::split;

/// How the runner behaves; the defaults are the documented ones.
#[derive(Debug, Clone)]
pub struct Options {
    pub history: HistoryTable,
    /// How long to poll for the runner lock before giving up.
    pub lock_timeout: Duration,
    /// Recorded in the history row as who ran it (`user@host`).
    pub applied_from: String,
}

impl Default for Options {
    fn default() -> Self {
        Options { history: HistoryTable::default(), lock_timeout: Duration::from_secs(60), applied_from: whoami() }
    }
}

/// `user@host` of this process, for the history table.
pub fn whoami() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}")
}

/// What the runner is doing, for progress bars and NDJSON.
#[derive(Debug)]
pub enum Event<'a> {
    /// Another runner holds the lock; polling until it is released.
    LockWaiting {
        holder: Option<&'a LockHolder>,
    },
    LockAcquired,
    Planned {
        track: Track,
        direction: Direction,
        count: usize,
    },
    Started {
        migration: &'a Migration,
        direction: Direction,
        index: usize,
        count: usize,
    },
    Finished {
        migration: &'a Migration,
        direction: Direction,
        elapsed: Duration,
    },
}

/// Receives events; `()` ignores them.
pub trait Observer {
    fn on(&mut self, event: &Event<'_>);
}

impl Observer for () {
    fn on(&mut self, _: &Event<'_>) {}
}

impl<F: FnMut(&Event<'_>)> Observer for F {
    fn on(&mut self, event: &Event<'_>) {
        self(event)
    }
}

/// One file run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Done {
    pub track: Track,
    pub version: Version,
    pub description: String,
    pub direction: Direction,
    pub elapsed_ms: u64,
}

/// What a run did, also when it failed part-way.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub done: Vec<Done>,
}

/// A run that stopped: what it had done, and why it stopped. Displays as its
/// error (which is not repeated as a source).
#[derive(Debug)]
pub struct Failure {
    pub report: Report,
    pub error: Error,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl Report {
    /// Records a file as done and tells the observer.
    fn finished(
        &mut self,
        m: &Migration,
        direction: Direction,
        elapsed: Duration,
        observer: &mut (dyn Observer + Send),
    ) {
        observer.on(&Event::Finished { migration: m, direction, elapsed });
        self.done.push(Done {
            track: m.track,
            version: m.version,
            description: m.description.clone(),
            direction,
            elapsed_ms: elapsed.as_millis() as u64,
        });
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { report: Report::default(), error }
    }
}

/// Every history row, or none when the table does not exist yet.
pub async fn history_rows(conn: &mut PgConnection, opts: &Options) -> Result<Vec<AppliedRow>, Error> {
    history::read(conn, &opts.history).await
}

/// What `run` would do, without the lock and without changing anything.
pub async fn preview<'a>(
    conn: &mut PgConnection,
    set: &'a MigrationSet,
    track: Track,
    request: &Request,
    opts: &Options,
) -> Result<Vec<&'a Migration>, Error> {
    let rows = history::read(conn, &opts.history).await?;
    check_request(track, request, &rows)?;
    Ok(plan::plan(track, set.track(track), &rows, request)?.steps)
}

/// `migrate down` refuses while any seed is recorded: seeds sit on the schema.
fn check_request(track: Track, request: &Request, rows: &[AppliedRow]) -> Result<(), Error> {
    if track == Track::Migrate && matches!(request, Request::Down(_)) {
        let seeds: Vec<String> = rows
            .iter()
            .filter(|r| r.track == Track::Seed)
            .map(|r| format!("{}_{}", r.version, r.description))
            .collect();
        if !seeds.is_empty() {
            return Err(Error::SeedsApplied { seeds });
        }
    }
    Ok(())
}

/// Plans and runs one track under the lock.
pub async fn run(
    conn: &mut PgConnection,
    set: &MigrationSet,
    track: Track,
    request: &Request,
    opts: &Options,
    observer: &mut (dyn Observer + Send),
) -> Result<Report, Failure> {
    let key = lock(conn, opts, observer).await?;
    let result = run_locked(conn, set, track, request, opts, observer).await;
    unlock(conn, key).await;
    result
}

async fn run_locked(
    conn: &mut PgConnection,
    set: &MigrationSet,
    track: Track,
    request: &Request,
    opts: &Options,
    observer: &mut (dyn Observer + Send),
) -> Result<Report, Failure> {
    history::ensure(conn, &opts.history).await?;
    let rows = history::read_existing(conn, &opts.history).await?;
    check_request(track, request, &rows)?;
    let plan = plan::plan(track, set.track(track), &rows, request).map_err(Error::from)?;
    observer.on(&Event::Planned { track, direction: plan.direction, count: plan.steps.len() });
    let mut report = Report::default();
    let direction = plan.direction;
    let steps = plan.steps;
    let mut i = 0;
    while i < steps.len() {
        let result = if file_of(steps[i], direction).no_transaction {
            run_one_statementwise(conn, steps[i], i, steps.len(), direction, opts, observer, &mut report)
                .await
                .map(|()| 1)
        } else {
            let batch = batch_at(&steps[i..], direction);
            run_batch(conn, &steps[i..i + batch], i, steps.len(), direction, opts, observer, &mut report)
                .await
                .map(|()| batch)
        };
        match result {
            Ok(n) => i += n,
            Err(error) => return Err(Failure { report, error }),
        }
    }
    Ok(report)
}

/// Takes the runner lock; returns its key for [`unlock`].
async fn lock(conn: &mut PgConnection, opts: &Options, observer: &mut (dyn Observer + Send)) -> Result<i64, Error> {
    let key = opts.history.lock_key();
    lock::acquire(conn, key, opts.lock_timeout, observer).await?;
    observer.on(&Event::LockAcquired);
    Ok(key)
}

/// Releases the runner lock. A failed release only matters while the connection
/// lives, and closing the connection releases the lock anyway.
async fn unlock(conn: &mut PgConnection, key: i64) {
    let _ = lock::release(conn, key).await;
}

const TX_PREFIX: &str = "BEGIN;\n";

/// At most this many transactional files share one round trip...
const BATCH_FILES: usize = 64;
/// ...and at most this much SQL (a single larger file is sent alone).
const BATCH_BYTES: usize = 1 << 20;
/// The column of the row each file's transaction returns just before COMMIT.
const MARKER: &str = "strata_file_done";

fn file_of(m: &Migration, direction: Direction) -> &SqlFile {
    match direction {
        Direction::Up => &m.up,
        Direction::Down => &m.down,
    }
}

/// How many of the leading transactional files go into one batch.
fn batch_at(steps: &[&Migration], direction: Direction) -> usize {
    let mut bytes = 0;
    let mut n = 0;
    for m in steps.iter().take(BATCH_FILES) {
        let file = file_of(m, direction);
        if file.no_transaction || (n > 0 && bytes + file.sql.len() > BATCH_BYTES) {
            break;
        }
        bytes += file.sql.len();
        n += 1;
    }
    n.max(1)
}

/// What records the file in the history: the insert (up) or the delete (down).
fn history_sql(m: &Migration, direction: Direction, opts: &Options) -> String {
    match direction {
        Direction::Up => history::insert_applied_sql(
            &opts.history,
            m.track,
            &m.version,
            &m.description,
            &m.checksum,
            &opts.applied_from,
        ),
        Direction::Down => history::delete_sql(&opts.history, m.track, &m.version),
    }
}

/// Runs consecutive transactional files in one simple-protocol message, each in
/// a transaction of its own with its history row:
/// `BEGIN; <file>; <history>; SELECT <marker>; COMMIT; BEGIN; <next file> ...`.
/// PostgreSQL commits each transaction as it reaches its COMMIT and, on an
/// error, skips the rest of the message; the marker rows, streamed back as each
/// transaction ends, say which files committed. So each file is still applied
/// entirely or not at all, and a run of N small files costs N/64 round trips.
#[allow(clippy::too_many_arguments)]
async fn run_batch(
    conn: &mut PgConnection,
    batch: &[&Migration],
    first_index: usize,
    count: usize,
    direction: Direction,
    opts: &Options,
    observer: &mut (dyn Observer + Send),
    report: &mut Report,
) -> Result<(), Error> {
    let mut query = String::new();
    let mut starts = Vec::with_capacity(batch.len());
    let mut chars = 0usize;
    for m in batch {
        query.push_str(TX_PREFIX);
        chars += TX_PREFIX.len();
        starts.push(chars);
        let file = file_of(m, direction);
        query.push_str(&file.sql);
        chars += file.sql.chars().count();
        // The newline keeps a trailing `--` comment in the file from swallowing what follows.
        let tail = format!(
            "\n;\n{};\nSELECT {} AS {MARKER}, (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint AS ms;\nCOMMIT;\n",
            history_sql(m, direction, opts),
            literal(&m.version.to_string()),
        );
        chars += tail.chars().count();
        query.push_str(&tail);
    }
    observer.on(&Event::Started { migration: batch[0], direction, index: first_index, count });
    let mut done = 0;
    let mut failed = None;
    {
        let mut rows = sqlx::raw_sql(&query).fetch(&mut *conn);
        while let Some(item) = rows.next().await {
            match item {
                Ok(row) if row.columns().first().is_some_and(|c| c.name() == MARKER) => {
                    let m = batch[done];
                    let ms: i64 = row.try_get("ms").unwrap_or(0);
                    let elapsed = Duration::from_millis(ms.max(0) as u64);
                    report.finished(m, direction, elapsed, observer);
                    done += 1;
                    if let Some(next) = batch.get(done) {
                        observer.on(&Event::Started { migration: next, direction, index: first_index + done, count });
                    }
                }
                Ok(_) => {} // rows of the file's own SELECTs
                Err(err) => {
                    failed = Some(err);
                    break;
                }
            }
        }
    }
    let Some(err) = failed else { return Ok(()) };
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    let Some(db) = pg_error(&err) else {
        return Err(Error::database("running migrations", err));
    };
    let position = position(db);
    // PostgreSQL parses the whole message before running any of it, so a syntax
    // error in a later file means none of the batch ran: the error's position
    // names the failing file, and the files before it are run again on their own.
    let failing = match position {
        Some(pos) => starts.iter().rposition(|&s| s <= pos).unwrap_or(0).max(done),
        None => done,
    };
    if failing > done {
        let earlier = &batch[done..failing];
        Box::pin(run_batch(conn, earlier, first_index + done, count, direction, opts, observer, report)).await?;
    }
    let Some(m) = batch.get(failing) else {
        return Err(Error::database("running migrations", err));
    };
    let file = file_of(m, direction);
    let mut failure = sql_failure(m, direction, file, db);
    match position {
        Some(pos) => {
            if let Some((line, col)) = pos.checked_sub(starts[failing]).and_then(|i| line_col(&file.sql, None, i)) {
                failure.line = Some(line);
                failure.column = Some(col);
            }
        }
        None => locate_by_replay(conn, file, &mut failure).await,
    }
    Err(Error::Sql(Box::new(failure)))
}

/// A `-- strata:no-transaction` file, between its history markers.
#[allow(clippy::too_many_arguments)]
async fn run_one_statementwise(
    conn: &mut PgConnection,
    m: &Migration,
    index: usize,
    count: usize,
    direction: Direction,
    opts: &Options,
    observer: &mut (dyn Observer + Send),
    report: &mut Report,
) -> Result<(), Error> {
    observer.on(&Event::Started { migration: m, direction, index, count });
    let started = Instant::now();
    match direction {
        Direction::Up => apply_statements(conn, m, opts).await?,
        Direction::Down => revert_statements(conn, m, opts).await?,
    }
    report.finished(m, direction, started.elapsed(), observer);
    Ok(())
}

/// A failure with no position (a runtime error such as a unique violation):
/// re-run the file a statement at a time in a transaction that is rolled back,
/// to find the statement that fails. Only on the error path.
async fn locate_by_replay(conn: &mut PgConnection, file: &SqlFile, failure: &mut SqlFailure) {
    if sqlx::raw_sql("BEGIN").execute(&mut *conn).await.is_err() {
        return;
    }
    for (i, stmt) in split(&file.sql).iter().enumerate() {
        if let Err(err) = sqlx::raw_sql(stmt.text).execute(&mut *conn).await {
            if pg_error(&err).is_some_and(|db| db.code() == failure.code) {
                failure.statement = Some(i + 1);
                let pos = pg_error(&err).and_then(position);
                if let Some((l, c)) = line_col(&file.sql, Some(stmt.offset), pos.unwrap_or(0)) {
                    failure.line = Some(l);
                    failure.column = Some(c);
                }
            }
            break;
        }
    }
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
}

async fn apply_statements(conn: &mut PgConnection, m: &Migration, opts: &Options) -> Result<(), Error> {
    let t = opts.history.sql();
    let key = history::row_key(m.track, &m.version);
    // Recorded before the first statement: if the process dies part-way, status shows the file as failed.
    let mark = format!(
        "INSERT INTO {t} (track, version, description, checksum, status, applied_from, failure)
         VALUES ({}, {}, {}, decode({}, 'hex'), 'failed', {}, 'interrupted: started but did not finish')",
        literal(m.track.as_str()),
        literal(&m.version.to_string()),
        literal(&m.description),
        literal(&m.checksum.to_hex()),
        literal(&opts.applied_from)
    );
    exec(conn, &mark, "recording the start of a no-transaction file").await?;
    let started = Instant::now();
    run_statements(conn, m, Direction::Up, &m.up, &t, &key).await?;
    let done = format!(
        "UPDATE {t} SET status = 'applied', failure = NULL, applied_at = now(), execution_ms = {} WHERE {key}",
        started.elapsed().as_millis()
    );
    exec(conn, &done, "recording a no-transaction file as applied").await
}

async fn revert_statements(conn: &mut PgConnection, m: &Migration, opts: &Options) -> Result<(), Error> {
    let t = opts.history.sql();
    let key = history::row_key(m.track, &m.version);
    let mark = format!(
        "UPDATE {t} SET status = 'failed', failure = 'interrupted: rollback started but did not finish' WHERE {key}"
    );
    exec(conn, &mark, "recording the start of a no-transaction rollback").await?;
    run_statements(conn, m, Direction::Down, &m.down, &t, &key).await?;
    exec(conn, &history::delete_sql(&opts.history, m.track, &m.version), "removing a history row").await
}

async fn run_statements(
    conn: &mut PgConnection,
    m: &Migration,
    direction: Direction,
    file: &SqlFile,
    table: &str,
    key: &str,
) -> Result<(), Error> {
    let statements = split(&file.sql);
    let total = statements.len();
    for (i, stmt) in statements.iter().enumerate() {
        let Err(err) = sqlx::raw_sql(stmt.text).execute(&mut *conn).await else {
            continue;
        };
        let Some(db) = pg_error(&err) else {
            return Err(Error::database("running a no-transaction statement", err));
        };
        let mut failure = sql_failure(m, direction, file, db);
        failure.statement = Some(i + 1);
        if let Some((l, c)) = line_col(&file.sql, Some(stmt.offset), position(db).unwrap_or(0)) {
            failure.line = Some(l);
            failure.column = Some(c);
        }
        let note = format!(
            "{} statement {} of {total} failed: {} (SQLSTATE {})",
            direction.as_str(),
            i + 1,
            failure.message,
            failure.code
        );
        let _ = exec(conn, &format!("UPDATE {table} SET failure = {} WHERE {key}", literal(&note)), "").await;
        return Err(Error::Sql(Box::new(failure)));
    }
    Ok(())
}

async fn exec(conn: &mut PgConnection, sql: &str, context: &'static str) -> Result<(), Error> {
    sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ()).map_err(|e| Error::database(context, e))
}

fn pg_error(err: &sqlx::Error) -> Option<&PgDatabaseError> {
    err.as_database_error().and_then(|d| d.try_downcast_ref::<PgDatabaseError>())
}

/// PostgreSQL's error position in the query sent, as a 0-based character index
/// (it reports 1-based; positions inside a function body's own query are not ours).
fn position(db: &PgDatabaseError) -> Option<usize> {
    match db.position() {
        Some(PgErrorPosition::Original(p)) => Some(p.saturating_sub(1)),
        _ => None,
    }
}

fn sql_failure(m: &Migration, direction: Direction, file: &SqlFile, db: &PgDatabaseError) -> SqlFailure {
    SqlFailure {
        track: m.track,
        version: m.version,
        direction,
        path: file.path.clone(),
        line: None,
        column: None,
        statement: None,
        code: db.code().to_owned(),
        message: db.message().to_owned(),
        detail: db.detail().map(str::to_owned),
        hint: db.hint().map(str::to_owned),
        context: db.r#where().map(str::to_owned),
        sql: file.sql.clone(),
    }
}

/// What `repair` changed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Repaired {
    /// Edited files whose new checksum was accepted.
    pub checksums: Vec<(Track, Version, String, String)>,
    /// Failed no-transaction files whose row was removed, so they run again.
    pub cleared: Vec<(Track, Version)>,
}

/// Accepts the current checksum of every edited applied file (keeping the old
/// one) and clears failed rows so those files run again.
pub async fn repair(conn: &mut PgConnection, set: &MigrationSet, opts: &Options) -> Result<Repaired, Error> {
    let key = lock(conn, opts, &mut ()).await?;
    let result = repair_locked(conn, set, opts).await;
    unlock(conn, key).await;
    result
}

async fn repair_locked(conn: &mut PgConnection, set: &MigrationSet, opts: &Options) -> Result<Repaired, Error> {
    history::ensure(conn, &opts.history).await?;
    let rows = history::read_existing(conn, &opts.history).await?;
    let t = opts.history.sql();
    let mut out = Repaired::default();
    for track in Track::ALL {
        for e in plan::status(track, set.track(track), &rows) {
            let key = history::row_key(track, &e.version);
            match (e.state, e.migration, &e.row) {
                (State::Modified, Some(m), Some(row)) => {
                    let sql = format!(
                        "UPDATE {t} SET previous_checksum = checksum, checksum = decode({}, 'hex'), repaired_at = now() WHERE {key}",
                        literal(&m.checksum.to_hex())
                    );
                    exec(conn, &sql, "updating a checksum").await?;
                    out.checksums.push((track, e.version, row.checksum.to_hex(), m.checksum.to_hex()));
                }
                (State::Failed, _, Some(row)) if row.status == RowStatus::Failed => {
                    exec(conn, &format!("DELETE FROM {t} WHERE {key}"), "clearing a failed row").await?;
                    out.cleared.push((track, e.version));
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Records every migrate-track file up to and including `version` as applied,
/// without running it: adopting a database that already has the schema.
pub async fn baseline(
    conn: &mut PgConnection,
    set: &MigrationSet,
    version: Version,
    opts: &Options,
) -> Result<Vec<Version>, Error> {
    if !set.migrate.iter().any(|m| m.version == version) {
        return Err(Error::UnknownVersion { track: Track::Migrate, version });
    }
    let key = lock(conn, opts, &mut ()).await?;
    let result = baseline_locked(conn, set, version, opts).await;
    unlock(conn, key).await;
    result
}

async fn baseline_locked(
    conn: &mut PgConnection,
    set: &MigrationSet,
    version: Version,
    opts: &Options,
) -> Result<Vec<Version>, Error> {
    history::ensure(conn, &opts.history).await?;
    let rows = history::read_existing(conn, &opts.history).await?;
    let mut recorded = vec![];
    let mut sql = String::from("BEGIN;\n");
    let already: std::collections::HashSet<Version> =
        rows.iter().filter(|r| r.track == Track::Migrate).map(|r| r.version).collect();
    for m in set.migrate.iter().filter(|m| m.version <= version) {
        if already.contains(&m.version) {
            continue;
        }
        sql.push_str(&format!(
            "INSERT INTO {} (track, version, description, checksum, execution_ms, applied_from, baselined)
             VALUES ('migrate', {}, {}, decode({}, 'hex'), 0, {}, true);\n",
            opts.history.sql(),
            literal(&m.version.to_string()),
            literal(&m.description),
            literal(&m.checksum.to_hex()),
            literal(&opts.applied_from)
        ));
        recorded.push(m.version);
    }
    sql.push_str("COMMIT;");
    exec(conn, &sql, "recording the baseline").await?;
    Ok(recorded)
}
