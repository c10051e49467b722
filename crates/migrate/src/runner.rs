//! The executor: runs the steps of a plan on one connection, under the lock
//! that [`crate::apply::run`] holds.
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
use crate::event::{Event, Observer};
use crate::history::{self, literal};
use crate::locate::line_col;
use crate::options::Options;
use crate::plan::Direction;
use crate::report::{Done, Failure, Report};
use crate::source::{Migration, SqlFile};
use crate::split::split;

const TX_PREFIX: &str = "BEGIN;\n";

/// At most this many transactional files share one round trip...
const BATCH_FILES: usize = 64;
/// ...and at most this much SQL (a single larger file is sent alone).
const BATCH_BYTES: usize = 1 << 20;
/// The column of the row each file's transaction returns just before COMMIT.
const MARKER: &str = "strata_file_done";

/// One run of a plan's steps in one direction: the connection, the caller's
/// options, and what has been done so far. Each file goes through one method,
/// so per-file policy (retries, timeouts) has one place to live.
pub(crate) struct Runner<'r> {
    conn: &'r mut PgConnection,
    opts: &'r Options,
    direction: Direction,
    progress: Progress<'r>,
}

/// What the run tells its observer and keeps in its report (apart from the
/// connection, so both can be borrowed while a batch streams its results).
struct Progress<'r> {
    observer: &'r mut (dyn Observer + Send),
    direction: Direction,
    /// How many steps the plan has.
    count: usize,
    report: Report,
}

impl Progress<'_> {
    fn started(&mut self, m: &Migration, index: usize) {
        self.observer.on(&Event::Started { migration: m, direction: self.direction, index, count: self.count });
    }

    /// Records a file as done and tells the observer.
    fn finished(&mut self, m: &Migration, elapsed: Duration) {
        let direction = self.direction;
        self.observer.on(&Event::Finished { migration: m, direction, elapsed });
        self.report.done.push(Done {
            track: m.track,
            version: m.version,
            description: m.description.clone(),
            direction,
            elapsed_ms: elapsed.as_millis() as u64,
        });
    }
}

impl<'r> Runner<'r> {
    pub(crate) fn new(
        conn: &'r mut PgConnection,
        opts: &'r Options,
        observer: &'r mut (dyn Observer + Send),
        direction: Direction,
    ) -> Self {
        let progress = Progress { observer, direction, count: 0, report: Report::default() };
        Runner { conn, opts, direction, progress }
    }

    /// Runs every step in order; stops at the first failure, reporting what ran.
    pub(crate) async fn run(mut self, steps: &[&Migration]) -> Result<Report, Failure> {
        self.progress.count = steps.len();
        let mut i = 0;
        while i < steps.len() {
            let result = if self.file(steps[i]).no_transaction {
                self.run_statementwise(steps[i], i).await.map(|()| 1)
            } else {
                let batch = self.batch_at(&steps[i..]);
                self.run_batch(&steps[i..i + batch], i).await.map(|()| batch)
            };
            match result {
                Ok(n) => i += n,
                Err(error) => return Err(Failure { report: self.progress.report, error }),
            }
        }
        Ok(self.progress.report)
    }

    fn file<'m>(&self, m: &'m Migration) -> &'m SqlFile {
        match self.direction {
            Direction::Up => &m.up,
            Direction::Down => &m.down,
        }
    }

    /// How many of the leading transactional files go into one batch.
    fn batch_at(&self, steps: &[&Migration]) -> usize {
        let mut bytes = 0;
        let mut n = 0;
        for m in steps.iter().take(BATCH_FILES) {
            let file = self.file(m);
            if file.no_transaction || (n > 0 && bytes + file.sql.len() > BATCH_BYTES) {
                break;
            }
            bytes += file.sql.len();
            n += 1;
        }
        n.max(1)
    }

    /// What records the file in the history: the insert (up) or the delete (down).
    fn history_sql(&self, m: &Migration) -> String {
        match self.direction {
            Direction::Up => history::insert_applied_sql(&self.opts.history, m, &self.opts.applied_from),
            Direction::Down => history::delete_sql(&self.opts.history, m.track, &m.version),
        }
    }

    /// Runs consecutive transactional files in one simple-protocol message, each in
    /// a transaction of its own with its history row:
    /// `BEGIN; <file>; <history>; SELECT <marker>; COMMIT; BEGIN; <next file> ...`.
    /// PostgreSQL commits each transaction as it reaches its COMMIT and, on an
    /// error, skips the rest of the message; the marker rows, streamed back as each
    /// transaction ends, say which files committed. So each file is still applied
    /// entirely or not at all, and a run of N small files costs N/64 round trips.
    async fn run_batch(&mut self, batch: &[&Migration], first_index: usize) -> Result<(), Error> {
        let mut query = String::new();
        let mut starts = Vec::with_capacity(batch.len());
        let mut chars = 0usize;
        for m in batch {
            query.push_str(TX_PREFIX);
            chars += TX_PREFIX.len();
            starts.push(chars);
            let file = self.file(m);
            query.push_str(&file.sql);
            chars += file.sql.chars().count();
            // The newline keeps a trailing `--` comment in the file from swallowing what follows.
            let tail = format!(
                "\n;\n{};\nSELECT {} AS {MARKER}, (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint AS ms;\nCOMMIT;\n",
                self.history_sql(m),
                literal(&m.version.to_string()),
            );
            chars += tail.chars().count();
            query.push_str(&tail);
        }
        self.progress.started(batch[0], first_index);
        let mut done = 0;
        let mut failed = None;
        {
            let mut rows = sqlx::raw_sql(&query).fetch(&mut *self.conn);
            while let Some(item) = rows.next().await {
                match item {
                    Ok(row) if row.columns().first().is_some_and(|c| c.name() == MARKER) => {
                        let ms: i64 = row.try_get("ms").unwrap_or(0);
                        self.progress.finished(batch[done], Duration::from_millis(ms.max(0) as u64));
                        done += 1;
                        if let Some(next) = batch.get(done) {
                            self.progress.started(next, first_index + done);
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
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *self.conn).await;
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
            Box::pin(self.run_batch(earlier, first_index + done)).await?;
        }
        let Some(m) = batch.get(failing) else {
            return Err(Error::database("running migrations", err));
        };
        let file = self.file(m);
        let mut failure = sql_failure(m, self.direction, file, db);
        match position {
            Some(pos) => {
                if let Some((line, col)) = pos.checked_sub(starts[failing]).and_then(|i| line_col(&file.sql, None, i)) {
                    failure.line = Some(line);
                    failure.column = Some(col);
                }
            }
            None => self.locate_by_replay(file, &mut failure).await,
        }
        Err(Error::Sql(Box::new(failure)))
    }

    /// A `-- strata:no-transaction` file, between its history markers.
    async fn run_statementwise(&mut self, m: &Migration, index: usize) -> Result<(), Error> {
        self.progress.started(m, index);
        let started = Instant::now();
        match self.direction {
            Direction::Up => self.apply_statements(m).await?,
            Direction::Down => self.revert_statements(m).await?,
        }
        self.progress.finished(m, started.elapsed());
        Ok(())
    }

    /// A failure with no position (a runtime error such as a unique violation):
    /// re-run the file a statement at a time in a transaction that is rolled back,
    /// to find the statement that fails. Only on the error path.
    async fn locate_by_replay(&mut self, file: &SqlFile, failure: &mut SqlFailure) {
        let conn = &mut *self.conn;
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

    async fn apply_statements(&mut self, m: &Migration) -> Result<(), Error> {
        let t = &self.opts.history;
        let mark = history::insert_started_sql(t, m, &self.opts.applied_from);
        history::exec(self.conn, &mark, "recording the start of a no-transaction file").await?;
        let started = Instant::now();
        self.run_statements(m, &m.up).await?;
        let done = history::mark_applied_sql(&self.opts.history, m.track, &m.version, started.elapsed().as_millis());
        history::exec(self.conn, &done, "recording a no-transaction file as applied").await
    }

    async fn revert_statements(&mut self, m: &Migration) -> Result<(), Error> {
        let t = &self.opts.history;
        let mark = history::mark_reverting_sql(t, m.track, &m.version);
        history::exec(self.conn, &mark, "recording the start of a no-transaction rollback").await?;
        self.run_statements(m, &m.down).await?;
        let delete = history::delete_sql(&self.opts.history, m.track, &m.version);
        history::exec(self.conn, &delete, "removing a history row").await
    }

    async fn run_statements(&mut self, m: &Migration, file: &SqlFile) -> Result<(), Error> {
        let statements = split(&file.sql);
        let total = statements.len();
        for (i, stmt) in statements.iter().enumerate() {
            let Err(err) = sqlx::raw_sql(stmt.text).execute(&mut *self.conn).await else {
                continue;
            };
            let Some(db) = pg_error(&err) else {
                return Err(Error::database("running a no-transaction statement", err));
            };
            let mut failure = sql_failure(m, self.direction, file, db);
            failure.statement = Some(i + 1);
            if let Some((l, c)) = line_col(&file.sql, Some(stmt.offset), position(db).unwrap_or(0)) {
                failure.line = Some(l);
                failure.column = Some(c);
            }
            let note = format!(
                "{} statement {} of {total} failed: {} (SQLSTATE {})",
                self.direction.as_str(),
                i + 1,
                failure.message,
                failure.code
            );
            let sql = history::note_failure_sql(&self.opts.history, m.track, &m.version, &note);
            let _ = history::exec(self.conn, &sql, "").await;
            return Err(Error::Sql(Box::new(failure)));
        }
        Ok(())
    }
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
