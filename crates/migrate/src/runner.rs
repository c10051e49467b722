//! The executor: runs the steps of a plan on one connection, under the lock
//! that [`crate::apply::run`] holds.
//!
//! Every file runs as psql would run it in a fresh session
//! (`psql -X -v ON_ERROR_STOP=1 -1 -f FILE`): before anything runs, each file is
//! checked ([`crate::preflight`]); after each file the session is reset
//! ([`RESET_SESSION`]), so no setting, role or temporary table of one file
//! reaches the next file or strata's own history statements.
//!
//! Three ways to send a file:
//! - small transactional files go together in one simple-protocol message, each
//!   in its own transaction with its history row ([`Runner::run_batch`]);
//! - a transactional file with `COPY ... FROM STDIN` data, or larger than
//!   [`BATCH_BYTES`], runs alone in its transaction, its statements sent in
//!   slices of the file of up to [`CHUNK_BYTES`] and its COPY data through the
//!   COPY protocol ([`Runner::run_alone`]);
//! - a `-- strata:no-transaction` file is sent a statement at a time, bracketed by
//!   a `failed` history row that becomes `applied` only after the last statement
//!   ([`Runner::run_statementwise`]).

use std::hash::{BuildHasher, Hasher};
use std::ops::Range;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sqlx::postgres::PgDatabaseError;
use sqlx::{Column, Connection, PgConnection, Row};

use crate::directive;
use crate::error::{Error, ErrorKind, SqlFailure, pg_error};
use crate::event::{Blocker, Event, Observer};
use crate::history::{self, TIMED};
use crate::locate::line_col;
use crate::options::Options;
use crate::plan::Direction;
use crate::preflight::{self, Shape};
use crate::quote::literal;
use crate::report::{Done, Report};
use crate::source::{Migration, SqlFile};
use crate::split::{self, Piece};

/// At most this many transactional files share one round trip...
const BATCH_FILES: usize = 64;
/// ...and at most this much SQL (a larger file runs alone, in slices).
const BATCH_BYTES: usize = 1 << 20;
/// A file that runs alone is sent in slices of about this many bytes.
const CHUNK_BYTES: usize = 1 << 20;
/// The column of the row sent after each file's COMMIT: it committed.
const COMMITTED: &str = "strata_committed";

/// What a fresh session would have, restored after every file (inside its
/// transaction, so the history statement after it runs as the session's own
/// role with default settings, and the next file starts clean). `DISCARD ALL`
/// would do this in one word but cannot run in a transaction and releases
/// advisory locks, the runner's own among them; so each part but that one.
/// Settings given when the connection opened are what `RESET` returns to, as
/// for psql. `DEALLOCATE ALL` also drops sqlx's statements: the runner clears
/// sqlx's cache when it is done.
const RESET_SESSION: &str = "RESET ALL;
SET SESSION AUTHORIZATION DEFAULT;
DISCARD TEMP;
DISCARD SEQUENCES;
CLOSE ALL;
UNLISTEN *;
DEALLOCATE ALL;
";

/// One run of a plan's steps in one direction: the connection, the caller's
/// options, and what has been done so far. Each file goes through
/// [`Runner::run_file`], so per-file policy (retries, timeouts) has one place.
pub(crate) struct Runner<'r> {
    conn: &'r mut PgConnection,
    opts: &'r Options,
    direction: Direction,
    /// Part of every acknowledgement the runner reads back: random per run, so no
    /// file's own output can pass for one.
    nonce: String,
    progress: Progress<'r>,
    /// The second connection that names who blocks a waiting statement.
    monitor: Option<Monitor>,
    /// Every file and its history row in one transaction ([`Runner::run_single`]).
    single: bool,
    /// In a single-transaction run, the statements of the failing file that the
    /// failure (without a position) points at: located once the run's
    /// transaction has rolled back, by replaying the files before it.
    unlocated: Option<Range<usize>>,
}

/// What the run tells its observer and keeps in its report (apart from the
/// connection, so both can be borrowed while a batch streams its results).
struct Progress<'r> {
    observer: &'r mut (dyn Observer + Send),
    direction: Direction,
    /// How many steps the plan has.
    count: usize,
    report: Report,
    /// In a single-transaction run, the time of each file that ran, in order:
    /// reported as done only once the transaction has committed.
    deferred: Option<Vec<Duration>>,
}

impl Progress<'_> {
    fn started(&mut self, m: &Migration, index: usize) {
        self.observer.on(&Event::Started { migration: m, direction: self.direction, index, count: self.count });
    }

    /// Records a file as done and tells the observer.
    fn finished(&mut self, m: &Migration, elapsed: Duration) {
        if let Some(deferred) = &mut self.deferred {
            deferred.push(elapsed);
            return;
        }
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

/// One step with what the preflight learnt about its file.
#[derive(Clone, Copy)]
struct Step<'m> {
    migration: &'m Migration,
    shape: Shape,
    /// PostgreSQL's `lock_timeout` and `statement_timeout` for its statements
    /// (the file's directives, else the options); zero is off.
    lock_timeout: Duration,
    statement_timeout: Duration,
}

impl Step<'_> {
    /// The settings for the file's statements: `SET LOCAL` inside its
    /// transaction (gone at COMMIT or ROLLBACK), plain `SET` before each
    /// statement of a no-transaction file (the session reset after the file
    /// returns them to the connection's own).
    fn timeouts_sql(&self, local: bool) -> String {
        let set = if local { "SET LOCAL" } else { "SET" };
        format!(
            "{set} lock_timeout = '{}';\n{set} statement_timeout = '{}';\n",
            directive::postgres_value(self.lock_timeout),
            directive::postgres_value(self.statement_timeout)
        )
    }
}

/// Where a batch stopped: how many of its files committed, and why.
struct Stop {
    done: usize,
    error: Error,
}

impl<'r> Runner<'r> {
    pub(crate) fn new(
        conn: &'r mut PgConnection,
        opts: &'r Options,
        observer: &'r mut (dyn Observer + Send),
        direction: Direction,
    ) -> Self {
        let progress = Progress { observer, direction, count: 0, report: Report::default(), deferred: None };
        Runner { conn, opts, direction, nonce: nonce(), progress, monitor: None, single: false, unlocated: None }
    }

    /// Runs every file and its history row in one transaction (the caller made
    /// sure that no file is `-- strata:no-transaction`).
    pub(crate) fn single_transaction(mut self, single: bool) -> Self {
        self.single = single;
        self
    }

    /// Runs every step in order; stops at the first failure, reporting what ran.
    /// Nothing runs unless every file passes the preflight.
    pub(crate) async fn run(mut self, migrations: &[&Migration]) -> Result<Report, Error> {
        let result = self.run_all(migrations).await;
        if let Some(monitor) = self.monitor.take() {
            let _ = monitor.conn.close().await;
        }
        // RESET_SESSION's DEALLOCATE ALL dropped the statements sqlx prepared.
        let _ = self.conn.clear_cached_statements().await;
        match result {
            Ok(()) => Ok(self.progress.report),
            Err(error) => Err(error.with_report(self.progress.report)),
        }
    }

    async fn run_all(&mut self, migrations: &[&Migration]) -> Result<(), Error> {
        let mut steps = Vec::with_capacity(migrations.len());
        for m in migrations {
            let file = self.file(m);
            let shape = preflight::check(file)?;
            let header = directive::header(&file.sql).map_err(|e| ErrorKind::Unrunnable {
                path: file.path.clone(),
                line: e.line,
                column: 1,
                reason: e.to_string(),
            })?;
            steps.push(Step {
                migration: m,
                shape,
                lock_timeout: header.lock_timeout.unwrap_or(self.opts.ddl_lock_timeout),
                statement_timeout: header.statement_timeout.unwrap_or(self.opts.statement_timeout),
            });
        }
        self.progress.count = steps.len();
        if steps.is_empty() {
            return Ok(());
        }
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *self.conn)
            .await
            .map_err(|e| Error::database("reading the runner's backend pid", e))?;
        self.opts.cancel.set_backend_pid(pid);
        if let Some(options) = &self.opts.monitor {
            match PgConnection::connect_with(options).await {
                Ok(conn) => self.monitor = Some(Monitor::new(conn, pid, self.opts.ddl_lock_timeout)),
                Err(e) => tracing::warn!("no second connection to name the sessions a migration waits for: {e}"),
            }
        }
        // A single-transaction run creates a missing history table in its transaction.
        let table = &self.opts.history;
        let create = match self.single && !history::exists(self.conn, table).await? {
            true => history::create_sql(table),
            false => String::new(),
        };
        // The session may come from a caller that changed it: start from a fresh one's state.
        history::exec(self.conn, RESET_SESSION, "resetting the session").await?;
        if self.single {
            return self.run_single(&steps, &create).await;
        }
        let mut i = 0;
        while i < steps.len() {
            if self.opts.cancel.is_requested() {
                return Err(ErrorKind::Cancelled { file: None }.into());
            }
            let n = self.batch_at(&steps[i..]);
            if let Some(m) = &mut self.monitor {
                m.last = None;
            }
            let outcome = if n == 1 {
                self.run_file(steps[i], i).await.map_err(|error| Stop { done: 0, error })
            } else {
                self.run_batch(&steps[i..i + n], i).await
            };
            match outcome {
                Ok(()) => i += n,
                // The file's transaction rolled back; those before it in the batch committed.
                Err(Stop { done, error })
                    if lock_not_available(&error) && !self.file(steps[i + done].migration).no_transaction =>
                {
                    let at = i + done;
                    self.retry_file(steps[at], at, error).await?;
                    i = at + 1;
                }
                Err(stop) => return Err(stop.error),
            }
        }
        Ok(())
    }

    /// Every file and its history row in one transaction: `BEGIN`, the files in
    /// batches as [`Runner::run_batch`] sends them but without their own
    /// `BEGIN`/`COMMIT` (a file acknowledged means it ran, not that it
    /// committed), then one `COMMIT`. Any failure rolls the whole run back, so
    /// the catalog and the history are as they were; the error names the file
    /// and line as a per-file run does. A lock timeout is not retried here: the
    /// transaction that waited is gone, and with it every file before.
    async fn run_single(&mut self, steps: &[Step<'_>], create: &str) -> Result<(), Error> {
        history::exec(self.conn, &format!("BEGIN;\n{create}"), "starting the run's transaction").await?;
        self.progress.deferred = Some(Vec::with_capacity(steps.len()));
        let mut i = 0;
        while i < steps.len() {
            let n = self.batch_at(&steps[i..]);
            if let Some(m) = &mut self.monitor {
                m.last = None;
            }
            let outcome = if self.opts.cancel.is_requested() {
                Err(Stop { done: 0, error: ErrorKind::Cancelled { file: None }.into() })
            } else if n == 1 {
                self.run_file(steps[i], i).await.map_err(|error| Stop { done: 0, error })
            } else {
                self.run_batch(&steps[i..i + n], i).await
            };
            if let Err(Stop { done, mut error }) = outcome {
                roll_back_open(self.conn).await;
                self.progress.deferred = None;
                let failing = (i + done).min(steps.len() - 1);
                if let (Some(suspects), ErrorKind::Sql(failure)) = (self.unlocated.take(), error.kind_mut()) {
                    let file = self.file(steps[failing].migration);
                    self.locate_after(&steps[..failing], file, suspects, failure).await;
                }
                return Err(error);
            }
            i += n;
        }
        if let Err(e) = sqlx::raw_sql("COMMIT").execute(&mut *self.conn).await {
            roll_back_open(self.conn).await;
            self.progress.deferred = None;
            return Err(Error::database("committing the run's transaction", e));
        }
        let times = self.progress.deferred.take().unwrap_or_default();
        for (step, elapsed) in steps.iter().zip(times) {
            self.progress.finished(step.migration, elapsed);
        }
        Ok(())
    }

    /// Locates a single-transaction run's failure without a position: replays
    /// the files before the failing one in a transaction (their effects are
    /// what the failing statement saw), then the failing file's suspects a
    /// statement at a time; rolled back.
    async fn locate_after(
        &mut self,
        before: &[Step<'_>],
        file: &SqlFile,
        suspects: Range<usize>,
        failure: &mut SqlFailure,
    ) {
        if ["55P03", "57014"].contains(&failure.code.as_str()) {
            return;
        }
        if sqlx::raw_sql("BEGIN").execute(&mut *self.conn).await.is_ok() {
            let mut replayed = true;
            for step in before {
                let earlier = self.file(step.migration);
                let sent = send_pieces(self.conn, earlier, CHUNK_BYTES, 0..usize::MAX, &self.opts.cancel, None, None);
                if sent.await.is_err() || sqlx::raw_sql(RESET_SESSION).execute(&mut *self.conn).await.is_err() {
                    replayed = false;
                    break;
                }
            }
            if replayed {
                self.locate_in_transaction(file, suspects, failure).await;
            }
        }
        roll_back_open(self.conn).await;
    }

    /// One file on its own, by the path its shape needs. A no-transaction file
    /// retries its own statements; a transactional file that timed out waiting
    /// for a lock is retried by [`Runner::retry_file`].
    async fn run_file(&mut self, step: Step<'_>, index: usize) -> Result<(), Error> {
        if self.file(step.migration).no_transaction {
            self.run_statementwise(step, index).await
        } else if step.shape.copy || self.file(step.migration).sql.len() > BATCH_BYTES {
            self.run_alone(step, index).await
        } else {
            self.run_batch(&[step], index).await.map_err(|stop| stop.error)
        }
    }

    /// A transactional file failed with `lock_not_available` and rolled back:
    /// runs it again alone, after a growing pause with jitter, until
    /// [`Options::lock_retry_for`] from its first failure has passed.
    async fn retry_file(&mut self, step: Step<'_>, index: usize, first: Error) -> Result<(), Error> {
        let since = Instant::now();
        let mut last = first;
        let mut attempt = 1u32;
        loop {
            let waited = since.elapsed();
            let Some(delay) = self.next_delay(attempt, waited, step.lock_timeout) else {
                return Err(self.gave_up(last, attempt, waited));
            };
            attempt += 1;
            let m = step.migration;
            self.progress.observer.on(&Event::LockRetry { migration: m, attempt, delay, waited, statement: None });
            self.pause(delay, m).await?;
            match self.run_file(step, index).await {
                Ok(()) => return Ok(()),
                Err(e) if lock_not_available(&e) => last = e,
                Err(e) => return Err(e),
            }
        }
    }

    /// The pause before attempt `attempt + 1`, or `None` once the retry time is
    /// spent. Never shorter than the file's lock timeout: each attempt queues the
    /// application's queries on the table for up to that long, so pausing at
    /// least as long leaves them at least half of the time.
    fn next_delay(&self, attempt: u32, waited: Duration, lock_timeout: Duration) -> Option<Duration> {
        let left = self.opts.lock_retry_for.checked_sub(waited).filter(|d| !d.is_zero())?;
        Some(backoff(attempt).max(lock_timeout).min(left))
    }

    /// Sleeps, stopping early when the run is cancelled.
    async fn pause(&self, delay: Duration, m: &Migration) -> Result<(), Error> {
        let until = Instant::now() + delay;
        while Instant::now() < until {
            if self.opts.cancel.is_requested() {
                return Err(ErrorKind::Cancelled { file: Some(self.file(m).path.clone()) }.into());
            }
            tokio::time::sleep((until - Instant::now()).min(Duration::from_millis(50))).await;
        }
        Ok(())
    }

    /// The error once the retries ran out: PostgreSQL's, with what was waited for.
    fn gave_up(&self, mut last: Error, attempts: u32, waited: Duration) -> Error {
        let ErrorKind::Sql(f) = last.kind_mut() else { return last };
        let what = match self.monitor.as_ref().and_then(|m| m.last.as_ref()) {
            Some(b) => b.to_string(),
            None => "waiting for a lock another session held".into(),
        };
        f.message = format!(
            "{}; gave up after {attempts} attempts in {:.1} s (lock_retry_for {}): {what}",
            f.message,
            waited.as_secs_f64(),
            human(self.opts.lock_retry_for)
        );
        if f.hint.is_none() {
            f.hint = Some(
                "run it again once that session has ended, or allow a longer wait: `[migrate] lock_retry_for`, \
                 `--ddl-lock-timeout` or the file's `-- strata:lock-timeout`"
                    .into(),
            );
        }
        last
    }

    fn file<'m>(&self, m: &'m Migration) -> &'m SqlFile {
        m.file(self.direction)
    }

    /// How many of the leading files go into one batch: small transactional
    /// files without COPY data; 1 for a file that needs a path of its own.
    fn batch_at(&self, steps: &[Step<'_>]) -> usize {
        let mut bytes = 0;
        let mut n = 0;
        // One transaction for all: no reason to cut batches by count.
        let most = if self.single { usize::MAX } else { BATCH_FILES };
        for step in steps.iter().take(most) {
            let file = self.file(step.migration);
            if file.no_transaction || step.shape.copy || bytes + file.sql.len() > BATCH_BYTES {
                break;
            }
            bytes += file.sql.len();
            n += 1;
        }
        n.max(1)
    }

    /// The acknowledgement value of the step at `index` of the run.
    fn marker(&self, index: usize) -> String {
        format!("{}:{index}", self.nonce)
    }

    /// Runs consecutive transactional files in one simple-protocol message, each in
    /// a transaction of its own with its history row:
    /// `BEGIN; <history: started>; <file>; <reset>; <history: finished, returns
    /// the timing row>; COMMIT; SELECT <committed marker>; BEGIN; <next file> ...`.
    /// PostgreSQL commits each transaction as it reaches its COMMIT and, on an
    /// error (at COMMIT too), skips the rest of the message; the committed
    /// markers, each checked against this run's nonce and the file expected next,
    /// say which files committed. So each file is still applied entirely or not
    /// at all, and a run of N small files costs N/64 round trips.
    async fn run_batch(&mut self, batch: &[Step<'_>], first_index: usize) -> Result<(), Stop> {
        let mut send = 0..batch.len();
        let mut refused = None;
        loop {
            match self.send_batch(&batch[send.clone()], first_index + send.start).await {
                Ok(()) => return refused.map_or(Ok(()), Err),
                Err(BatchEnd::Failed { done, error }) => return Err(Stop { done: send.start + done, error }),
                // One transaction: what ran before the rejected message is rolled back too.
                Err(BatchEnd::Rejected { failing, error, .. }) if self.single => {
                    return Err(Stop { done: send.start + failing, error });
                }
                Err(BatchEnd::Rejected { done, failing, error }) => {
                    refused = Some(Stop { done: send.start + failing, error });
                    send = send.start + done..send.start + failing;
                }
            }
        }
    }

    /// Sends one batch message; see [`Runner::run_batch`].
    async fn send_batch(&mut self, batch: &[Step<'_>], first_index: usize) -> Result<(), BatchEnd> {
        let mut query = String::new();
        let mut starts = Vec::with_capacity(batch.len());
        let mut chars = 0usize;
        for (k, step) in batch.iter().enumerate() {
            let m = step.migration;
            let marker = self.marker(first_index + k);
            let head = format!(
                "{}{}{};\n",
                self.begin(),
                step.timeouts_sql(true),
                history::file_started_sql(&self.opts.history, m, self.direction, &self.opts.applied_from)
            );
            chars += head.chars().count();
            query.push_str(&head);
            starts.push(chars);
            let file = self.file(m);
            query.push_str(&file.sql);
            chars += file.sql.chars().count();
            // The newline keeps a trailing `--` comment in the file from swallowing what follows.
            let tail = format!(
                "\n;\n{RESET_SESSION}{};\n{}SELECT {} AS {COMMITTED};\n",
                history::file_finished_sql(&self.opts.history, m, self.direction, &marker),
                self.commit(),
                literal(&marker),
            );
            chars += tail.chars().count();
            query.push_str(&tail);
        }
        self.progress.started(batch[0].migration, first_index);
        let mut done = 0;
        let mut timed: Option<Duration> = None;
        let mut failed = None;
        {
            let mut rows = sqlx::raw_sql(&query).fetch(&mut *self.conn);
            loop {
                let waiting = batch.get(done).unwrap_or(&batch[0]).migration;
                let next = watched(rows.next(), &mut self.monitor, &mut self.progress, waiting).await;
                let Some(item) = next else { break };
                let row = match item {
                    Ok(row) => row,
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                };
                let expected = format!("{}:{}", self.nonce, first_index + done);
                match acknowledgement(&row, &self.nonce) {
                    None => {} // rows of the file's own SELECTs
                    Some((column, value)) if value != expected => {
                        return Err(BatchEnd::Failed {
                            done,
                            error: ErrorKind::Database {
                                context: "reading the results of a batch",
                                message: format!("expected the acknowledgement {expected:?}, got {column} = {value:?}"),
                            }
                            .into(),
                        });
                    }
                    Some((TIMED, _)) => {
                        let ms: i64 = row.try_get("ms").unwrap_or(0);
                        timed = Some(Duration::from_millis(ms.max(0) as u64));
                    }
                    Some(_) => {
                        let Some(step) = batch.get(done) else {
                            return Err(BatchEnd::Failed {
                                done,
                                error: ErrorKind::Database {
                                    context: "reading the results of a batch",
                                    message: format!("an acknowledgement past the batch's {} files", batch.len()),
                                }
                                .into(),
                            });
                        };
                        self.progress.finished(step.migration, timed.take().unwrap_or_default());
                        done += 1;
                        if let Some(next) = batch.get(done) {
                            self.progress.started(next.migration, first_index + done);
                        }
                    }
                }
            }
        }
        let Some(err) = failed else {
            if done < batch.len() {
                return Err(BatchEnd::Failed {
                    done,
                    error: ErrorKind::Database {
                        context: "reading the results of a batch",
                        message: format!("{} of {} files acknowledged", done, batch.len()),
                    }
                    .into(),
                });
            }
            return Ok(());
        };
        end_failed_transaction(self.conn).await;
        let Some(db) = pg_error(&err) else {
            return Err(BatchEnd::Failed { done, error: Error::database("running migrations", err) });
        };
        let position = SqlFailure::position(db);
        // A syntax error names its file by position (see BatchEnd::Rejected).
        let failing = match position {
            Some(pos) => starts.iter().rposition(|&s| s <= pos).unwrap_or(0).max(done),
            None => done,
        };
        let Some(step) = batch.get(failing) else {
            return Err(BatchEnd::Failed { done, error: Error::database("running migrations", err) });
        };
        let m = step.migration;
        let file = self.file(m);
        if self.cancelled(db) {
            return Err(BatchEnd::Failed {
                done,
                error: ErrorKind::Cancelled { file: Some(file.path.clone()) }.into(),
            });
        }
        let mut failure = sql_failure(m, self.direction, db);
        match position {
            Some(pos) => {
                if let Some((line, col)) = pos.checked_sub(starts[failing]).and_then(|i| line_col(&file.sql, None, i)) {
                    failure.line = Some(line);
                    failure.column = Some(col);
                }
            }
            // A timing row came back: the file ran to its end and failed at COMMIT
            // (a deferred constraint); no statement of the file is to blame.
            None if timed.is_some() => at_commit(&mut failure),
            None if self.single => self.unlocated = Some(0..usize::MAX),
            None => self.locate_by_replay(file, 0..usize::MAX, &mut failure).await,
        }
        let error = Error::from(failure);
        Err(if failing > done { BatchEnd::Rejected { done, failing, error } } else { BatchEnd::Failed { done, error } })
    }

    /// A transactional file on its own: `BEGIN` and its history row, then the
    /// file in slices of at most [`CHUNK_BYTES`] (without copying it) and its
    /// COPY data through the COPY protocol, then the reset, the history row and
    /// `COMMIT`. Large seeds go this way, in bounded memory.
    async fn run_alone(&mut self, step: Step<'_>, index: usize) -> Result<(), Error> {
        let m = step.migration;
        let file = self.file(m);
        self.progress.started(m, index);
        let marker = self.marker(index);
        let head = format!(
            "{}{}{}",
            self.begin(),
            step.timeouts_sql(true),
            history::file_started_sql(&self.opts.history, m, self.direction, &self.opts.applied_from)
        );
        history::exec(self.conn, &head, "recording the start of a file").await?;
        let watch = Watch { monitor: &mut self.monitor, progress: &mut self.progress, migration: m };
        let sent = send_pieces(self.conn, file, CHUNK_BYTES, 0..usize::MAX, &self.opts.cancel, None, Some(watch)).await;
        if let Err(sent) = sent {
            end_failed_transaction(self.conn).await;
            return Err(self.piece_failure(m, file, sent).await);
        }
        let tail = format!(
            "{RESET_SESSION}{};\n{}SELECT {} AS {COMMITTED};",
            history::file_finished_sql(&self.opts.history, m, self.direction, &marker),
            self.commit(),
            literal(&marker)
        );
        let mut timed = None;
        let mut committed = false;
        let mut failed = None;
        {
            let mut rows = sqlx::raw_sql(&tail).fetch(&mut *self.conn);
            while let Some(item) = rows.next().await {
                match item {
                    Ok(row) => match acknowledgement(&row, &self.nonce) {
                        Some((TIMED, v)) if v == marker => {
                            timed = Some(Duration::from_millis(row.try_get::<i64, _>("ms").unwrap_or(0).max(0) as u64))
                        }
                        Some((_, v)) if v == marker => committed = true,
                        _ => {}
                    },
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                }
            }
        }
        if let Some(err) = failed {
            end_failed_transaction(self.conn).await;
            let Some(db) = pg_error(&err) else {
                return Err(Error::database("committing a file", err));
            };
            if self.cancelled(db) {
                return Err(ErrorKind::Cancelled { file: Some(file.path.clone()) }.into());
            }
            let mut failure = sql_failure(m, self.direction, db);
            at_commit(&mut failure);
            return Err(failure.into());
        }
        if !committed {
            return Err(ErrorKind::Database {
                context: "committing a file",
                message: format!("no acknowledgement for {}", file.path.display()),
            }
            .into());
        }
        self.progress.finished(m, timed.unwrap_or_default());
        Ok(())
    }

    /// The error for a file whose pieces failed: located in the file, by the
    /// error's position or, without one, by replaying the failing slice a
    /// statement at a time.
    async fn piece_failure(&mut self, m: &Migration, file: &SqlFile, sent: Sent) -> Error {
        let db = pg_error(&sent.error);
        if self.opts.cancel.is_requested() && db.is_none_or(|db| self.cancelled(db)) {
            return ErrorKind::Cancelled { file: Some(file.path.clone()) }.into();
        }
        let Some(db) = db else {
            return Error::database("running a migration", sent.error);
        };
        let mut failure = sql_failure(m, self.direction, db);
        match SqlFailure::position(db) {
            Some(pos) => {
                if let Some((l, c)) = line_col(&file.sql, Some(sent.offset), pos) {
                    failure.line = Some(l);
                    failure.column = Some(c);
                }
                if sent.statements.len() == 1 {
                    failure.statement = Some(sent.statements.start + 1);
                }
            }
            None if sent.statements.len() == 1 => {
                failure.statement = Some(sent.statements.start + 1);
                if let Some((l, c)) = line_col(&file.sql, Some(sent.offset), 0) {
                    failure.line = Some(l);
                    failure.column = Some(c);
                }
            }
            None if self.single => self.unlocated = Some(sent.statements),
            None => self.locate_by_replay(file, sent.statements, &mut failure).await,
        }
        failure.into()
    }

    /// A `-- strata:no-transaction` file, between its history markers.
    async fn run_statementwise(&mut self, step: Step<'_>, index: usize) -> Result<(), Error> {
        let m = step.migration;
        self.progress.started(m, index);
        let started = Instant::now();
        let t = &self.opts.history;
        let file = self.file(m);
        match self.direction {
            Direction::Up => {
                let mark = history::insert_started_sql(t, m, &self.opts.applied_from);
                history::exec(self.conn, &mark, "recording the start of a no-transaction file").await?;
            }
            Direction::Down => {
                let mark = history::mark_reverting_sql(t, m.track, &m.version);
                history::exec(self.conn, &mark, "recording the start of a no-transaction rollback").await?;
            }
        }
        let prelude = step.timeouts_sql(false);
        let indexes = concurrent_indexes(&file.sql);
        let mut from = 0;
        let mut retry: Option<(Instant, u32)> = None;
        // One statement at a time, each after the file's timeouts are set.
        let failed = loop {
            if from >= step.shape.statements {
                break None;
            }
            // A failed CREATE INDEX CONCURRENTLY leaves its index INVALID, and `IF
            // NOT EXISTS` would then skip it: drop it first (a retry, or a rerun
            // after a failed or interrupted run).
            let dropped = match indexes.iter().find(|(i, _, _)| *i == from) {
                Some((_, index, table)) => self.drop_invalid_index(m, index, table, &prelude).await,
                None => Ok(true),
            };
            // `None`: the drop timed out waiting for a lock, retried as the statement would be.
            let sent = match dropped {
                Err(e) => break Some(FileEnd::Error(e)),
                Ok(false) => None,
                Ok(true) => {
                    let watch = Watch { monitor: &mut self.monitor, progress: &mut self.progress, migration: m };
                    let prelude = Some(prelude.as_str());
                    match send_pieces(self.conn, file, 0, from..from + 1, &self.opts.cancel, prelude, Some(watch)).await
                    {
                        Ok(()) => {
                            from += 1;
                            retry = None;
                            continue;
                        }
                        Err(sent) => Some(sent),
                    }
                }
            };
            if sent.is_some() {
                end_failed_transaction(self.conn).await;
            }
            let sent = match sent {
                Some(sent) if !lock_not_available_sql(&sent.error) || self.opts.cancel.is_requested() => {
                    break Some(FileEnd::Sent(sent, None));
                }
                other => other,
            };
            // Only the statement that timed out runs again; those before it stay done.
            let (since, attempt) = retry.get_or_insert((Instant::now(), 1));
            let waited = since.elapsed();
            let Some(delay) = self.next_delay(*attempt, waited, step.lock_timeout) else {
                let attempts = *attempt;
                break Some(match sent {
                    Some(sent) => FileEnd::Sent(sent, Some((attempts, waited))),
                    None => FileEnd::Error(ErrorKind::Database {
                        context: "dropping an invalid index a failed attempt left",
                        message: format!(
                            "{}: gave up after {attempts} attempts in {:.1} s (lock_retry_for {}): the lock timeout \
                             stopped DROP INDEX CONCURRENTLY each time",
                            file.path.display(),
                            waited.as_secs_f64(),
                            human(self.opts.lock_retry_for)
                        ),
                    }.into()),
                });
            };
            *attempt += 1;
            let attempt = *attempt;
            self.progress.observer.on(&Event::LockRetry {
                migration: m,
                attempt,
                delay,
                waited,
                statement: Some(from + 1),
            });
            if let Err(e) = self.pause(delay, m).await {
                break Some(FileEnd::Error(e));
            }
        };
        let failed = match failed {
            None => self.invalid_left(file, &indexes).await.err().map(FileEnd::Error),
            end => end,
        };
        if let Some(end) = failed {
            let _ = history::exec(self.conn, RESET_SESSION, "resetting the session").await;
            let error = match end {
                FileEnd::Error(e) => e,
                FileEnd::Sent(sent, None) => self.piece_failure(m, file, sent).await,
                FileEnd::Sent(sent, Some((attempts, waited))) => {
                    let e = self.piece_failure(m, file, sent).await;
                    self.gave_up(e, attempts, waited)
                }
            };
            let note = match error.kind() {
                ErrorKind::Sql(f) => format!(
                    "{} statement {} of {} failed: {} (SQLSTATE {})",
                    self.direction.as_str(),
                    f.statement.unwrap_or(0),
                    step.shape.statements,
                    f.message,
                    f.code
                ),
                ErrorKind::Cancelled { .. } => format!("{} cancelled", self.direction.as_str()),
                other => format!("{} failed: {other}", self.direction.as_str()),
            };
            let sql = history::note_failure_sql(&self.opts.history, m.track, &m.version, &note);
            let _ = history::exec(self.conn, &sql, "recording the failure").await;
            return Err(error);
        }
        history::exec(self.conn, RESET_SESSION, "resetting the session").await?;
        let done = match self.direction {
            Direction::Up => history::mark_applied_sql(t, m.track, &m.version, started.elapsed().as_millis()),
            Direction::Down => history::delete_sql(t, m.track, &m.version),
        };
        history::exec(self.conn, &done, "recording a no-transaction file").await?;
        self.progress.finished(m, started.elapsed());
        Ok(())
    }

    /// Drops the index `index` on `table` (as the file wrote them) when it exists
    /// and is INVALID: what a failed `CREATE INDEX CONCURRENTLY` leaves. `false`
    /// when the drop timed out waiting for a lock (the index is still there).
    async fn drop_invalid_index(
        &mut self,
        m: &Migration,
        index: &str,
        table: &str,
        prelude: &str,
    ) -> Result<bool, Error> {
        let Some(name) = invalid_index(self.conn, index, table).await? else { return Ok(true) };
        history::exec(self.conn, prelude, "setting the lock timeout").await?;
        let drop = format!("DROP INDEX CONCURRENTLY IF EXISTS {name}");
        let run = sqlx::raw_sql(&drop).execute(&mut *self.conn);
        match watched(run, &mut self.monitor, &mut self.progress, m).await {
            Ok(_) => {}
            Err(e) if lock_not_available_sql(&e) => return Ok(false),
            Err(e) => return Err(Error::database("dropping an invalid index a failed attempt left", e)),
        }
        self.progress.observer.on(&Event::InvalidIndexDropped { migration: m, index: &name });
        Ok(true)
    }

    /// After a no-transaction file: an index its `CREATE INDEX CONCURRENTLY`
    /// statements name that is INVALID fails the file.
    async fn invalid_left(&mut self, file: &SqlFile, indexes: &[(usize, String, String)]) -> Result<(), Error> {
        let mut invalid = Vec::new();
        for (_, index, table) in indexes {
            if let Some(name) = invalid_index(self.conn, index, table).await? {
                invalid.push(name);
            }
        }
        if invalid.is_empty() {
            return Ok(());
        }
        Err(ErrorKind::Database {
            context: "checking the indexes of a no-transaction file",
            message: format!(
                "{}: index {} is INVALID after the file ran (pg_index.indisvalid is false), so the file is not \
                 recorded as applied; `strata migrate repair` then `up` runs it again, and strata drops the \
                 invalid index before its CREATE INDEX",
                file.path.display(),
                invalid.join(", ")
            ),
        }
        .into())
    }

    /// A failure with no position (a runtime error such as a unique violation):
    /// re-run the file up to the failing statements in a transaction that is
    /// rolled back, the suspects a statement at a time, to find the one that
    /// fails. Only on the error path, and only for a transactional file, which
    /// the preflight made sure holds no transaction control: nothing in the
    /// replay can commit it.
    ///
    /// Not after a timeout (55P03 lock_not_available, 57014 a statement
    /// timeout): the replay would wait again. The replay runs under the lock
    /// timeout too, so it never queues the application behind it.
    async fn locate_by_replay(&mut self, file: &SqlFile, suspects: Range<usize>, failure: &mut SqlFailure) {
        if file.no_transaction || ["55P03", "57014"].contains(&failure.code.as_str()) {
            return;
        }
        if sqlx::raw_sql("BEGIN").execute(&mut *self.conn).await.is_ok() {
            self.locate_in_transaction(file, suspects, failure).await;
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *self.conn).await;
        }
    }

    /// [`Runner::locate_by_replay`] in a transaction the caller opened (and rolls back).
    async fn locate_in_transaction(&mut self, file: &SqlFile, suspects: Range<usize>, failure: &mut SqlFailure) {
        let lock_timeout = directive::header(&file.sql).ok().and_then(|h| h.lock_timeout);
        let set = format!(
            "SET LOCAL lock_timeout = '{}'",
            directive::postgres_value(lock_timeout.unwrap_or(self.opts.ddl_lock_timeout))
        );
        if sqlx::raw_sql(&set).execute(&mut *self.conn).await.is_err() {
            return;
        }
        let cancel = &self.opts.cancel;
        let before = send_pieces(self.conn, file, CHUNK_BYTES, 0..suspects.start, cancel, None, None).await;
        if before.is_ok()
            && let Err(sent) = send_pieces(self.conn, file, 0, suspects, cancel, None, None).await
            && let Some(db) = pg_error(&sent.error).filter(|db| db.code() == failure.code)
        {
            failure.statement = Some(sent.statements.start + 1);
            if let Some((l, c)) = line_col(&file.sql, Some(sent.offset), SqlFailure::position(db).unwrap_or(0)) {
                failure.line = Some(l);
                failure.column = Some(c);
            }
        }
    }

    /// What opens a file's own transaction; nothing in a single-transaction run.
    fn begin(&self) -> &'static str {
        if self.single { "" } else { "BEGIN;\n" }
    }

    /// What commits a file's own transaction; nothing in a single-transaction run.
    fn commit(&self) -> &'static str {
        if self.single { "" } else { "COMMIT;\n" }
    }

    /// A statement failed because the caller cancelled the run.
    fn cancelled(&self, db: &PgDatabaseError) -> bool {
        db.code() == "57014" && self.opts.cancel.is_requested()
    }
}

/// How a no-transaction file's statements ended, when not all of them ran.
enum FileEnd {
    /// A statement failed; with `(attempts, waited)` when it was retried for a
    /// lock until the retry time ran out.
    Sent(Sent, Option<(u32, Duration)>),
    Error(Error),
}

/// What runs beside a statement that may wait for a lock: the monitor, and
/// where to say what it saw.
struct Watch<'a, 'r> {
    monitor: &'a mut Option<Monitor>,
    progress: &'a mut Progress<'r>,
    migration: &'a Migration,
}

/// Awaits `fut`, a statement on the runner's connection; meanwhile, at the
/// monitor's interval, asks from the second connection who blocks it.
async fn watched<F: std::future::Future>(
    fut: F,
    monitor: &mut Option<Monitor>,
    progress: &mut Progress<'_>,
    m: &Migration,
) -> F::Output {
    let Some(monitor) = monitor.as_mut() else { return fut.await };
    let mut fut = std::pin::pin!(fut);
    loop {
        tokio::select! {
            out = &mut fut => return out,
            () = tokio::time::sleep(monitor.every) => monitor.check(progress, m).await,
        }
    }
}

/// The second connection: reads `pg_blocking_pids` of the runner's backend
/// and `pg_stat_activity` of each blocker, once the runner has waited for a
/// lock a while.
struct Monitor {
    conn: PgConnection,
    /// The runner's backend.
    pid: i32,
    /// How often to look while a statement runs...
    every: Duration,
    /// ...and how long the runner must have waited for its lock to name the blocker.
    after: Duration,
    /// Blockers already named in this run.
    named: std::collections::HashSet<i32>,
    /// The last blocker seen, for the message when the retries run out.
    last: Option<Blocker>,
}

/// Who blocks backend `$1`, once its ungranted lock has waited `$2` seconds.
const BLOCKERS_SQL: &str = "SELECT w.mode, w.locktype, w.relation::regclass::text AS relation,
       w.transactionid::text AS xid, b.pid, coalesce(b.application_name, '') AS application_name,
       b.usename::text AS usename, host(b.client_addr) AS client_addr, b.state,
       extract(epoch FROM now() - b.xact_start)::int8 AS xact_seconds,
       left(regexp_replace(coalesce(b.query, ''), '\\s+', ' ', 'g'), 100) AS query
FROM (SELECT mode, locktype, relation, transactionid FROM pg_locks
      WHERE pid = $1 AND NOT granted AND clock_timestamp() - waitstart >= make_interval(secs => $2)
      LIMIT 1) w
CROSS JOIN LATERAL unnest(pg_blocking_pids($1)) AS bp(pid)
JOIN pg_stat_activity b ON b.pid = bp.pid
ORDER BY b.pid";

impl Monitor {
    fn new(conn: PgConnection, pid: i32, lock_timeout: Duration) -> Monitor {
        let standard = Duration::from_millis(200);
        let after = if lock_timeout.is_zero() { standard } else { standard.min(lock_timeout / 2) };
        let every = (after / 2).clamp(Duration::from_millis(10), Duration::from_millis(100));
        Monitor { conn, pid, every, after, named: Default::default(), last: None }
    }

    async fn check(&mut self, progress: &mut Progress<'_>, m: &Migration) {
        let rows =
            sqlx::query(BLOCKERS_SQL).bind(self.pid).bind(self.after.as_secs_f64()).fetch_all(&mut self.conn).await;
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                tracing::debug!("reading who blocks the migration: {e}");
                return;
            }
        };
        for row in rows {
            let mode: String = row.try_get("mode").unwrap_or_default();
            let on = match (row.try_get::<Option<String>, _>("relation"), row.try_get::<Option<String>, _>("xid")) {
                (Ok(Some(relation)), _) => relation,
                (_, Ok(Some(xid))) => format!("transaction {xid} (a row it changed)"),
                _ => row.try_get::<String, _>("locktype").unwrap_or_default(),
            };
            let blocker = Blocker {
                waiting_for: sql_mode(&mode),
                on,
                pid: row.try_get("pid").unwrap_or(0),
                application_name: row.try_get("application_name").unwrap_or_default(),
                user: row.try_get("usename").ok().flatten(),
                client_addr: row.try_get("client_addr").ok().flatten(),
                state: row.try_get("state").ok().flatten(),
                transaction_seconds: row.try_get("xact_seconds").ok().flatten(),
                query: row.try_get("query").unwrap_or_default(),
            };
            if self.named.insert(blocker.pid) {
                progress.observer.on(&Event::Blocked { migration: m, blocker: &blocker });
            }
            self.last = Some(blocker);
        }
    }
}

/// A duration as a setting is written: `5min`, `30s`, `1500ms`.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        0 => "0".into(),
        ms if ms % 60_000 == 0 => format!("{}min", ms / 60_000),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

/// `AccessExclusiveLock` as SQL names it: `ACCESS EXCLUSIVE`.
fn sql_mode(mode: &str) -> String {
    let mode = mode.strip_suffix("Lock").unwrap_or(mode);
    let mut out = String::new();
    for (i, c) in mode.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            out.push(' ');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// The pause before retry `attempt` (1: the first): 0.25 s doubling up to
/// 8 s, each drawn between half and all of that (jitter, so runners that
/// collided do not collide again).
fn backoff(attempt: u32) -> Duration {
    let full =
        Duration::from_millis(250).saturating_mul(1 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(8));
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    let fraction = (h.finish() % 1000) as f64 / 1000.0;
    full.mul_f64(0.5 + fraction / 2.0)
}

/// A file's error is PostgreSQL's `lock_not_available` (55P03: `lock_timeout`, `NOWAIT`).
fn lock_not_available(error: &Error) -> bool {
    matches!(error.kind(), ErrorKind::Sql(f) if f.code == "55P03")
}

fn lock_not_available_sql(error: &sqlx::Error) -> bool {
    pg_error(error).is_some_and(|db| db.code() == "55P03")
}

/// `(statement index, index name, table)` of each `CREATE [UNIQUE] INDEX
/// CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] table` in `sql`, names as written.
fn concurrent_indexes(sql: &str) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    let mut index = 0;
    for piece in split::pieces(sql) {
        let Ok(Piece::Statement(s)) = piece else { continue };
        let words: Vec<&str> = s.text.split_whitespace().collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let mut k = 0;
        let eat = |word: &str, k: &mut usize| {
            let hit = lower.get(*k).is_some_and(|w| w == word);
            if hit {
                *k += 1;
            }
            hit
        };
        if eat("create", &mut k) {
            eat("unique", &mut k);
            if eat("index", &mut k) && eat("concurrently", &mut k) {
                if eat("if", &mut k) {
                    eat("not", &mut k);
                    eat("exists", &mut k);
                }
                if let (Some(name), true) = (words.get(k), lower.get(k + 1).is_some_and(|w| w == "on")) {
                    k += 2;
                    eat("only", &mut k);
                    if let Some(table) = words.get(k) {
                        let table = table.split('(').next().unwrap_or(table);
                        if !table.is_empty() {
                            found.push((index, (*name).to_owned(), table.to_owned()));
                        }
                    }
                }
            }
        }
        index += 1;
    }
    found
}

/// The qualified name of index `index` (as written: quoted, or folded to lower
/// case) on `table` when it exists and is INVALID.
async fn invalid_index(conn: &mut PgConnection, index: &str, table: &str) -> Result<Option<String>, Error> {
    let name = match index.strip_prefix('"').and_then(|i| i.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => index.to_lowercase(),
    };
    sqlx::query_scalar(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE NOT i.indisvalid AND i.indrelid = to_regclass($1) AND c.relname = $2",
    )
    .bind(table)
    .bind(name)
    .persistent(false)
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| Error::database("looking for an invalid index", e))
}

/// How a batch message ended when not every file committed.
enum BatchEnd {
    /// The file at `done` failed (or the run was cancelled), after the `done`
    /// files before it committed: the error to report.
    Failed { done: usize, error: Error },
    /// PostgreSQL parses the whole message before running any of it, so a syntax
    /// error in a later file means none of the batch ran: the error names the
    /// file at `failing`, and the files from `done` up to it are sent again.
    Rejected { done: usize, failing: usize, error: Error },
}

/// What [`send_pieces`] was sending when it failed.
struct Sent {
    error: sqlx::Error,
    /// Byte offset in the file of the text sent.
    offset: usize,
    /// 0-based indexes of the statements sent.
    statements: Range<usize>,
}

/// Sends the statements of `file` whose index is in `which`, in order: in slices
/// of the file of up to `chunk` bytes (0: one statement per message), each
/// `COPY ... FROM STDIN` alone with its data through the COPY protocol. The
/// file was checked by the preflight, so its pieces lex. `prelude` (the
/// timeouts of a no-transaction file) is sent before each message; `watch`
/// names who blocks a statement that waits.
async fn send_pieces(
    conn: &mut PgConnection,
    file: &SqlFile,
    chunk: usize,
    which: Range<usize>,
    cancel: &crate::cancel::Cancel,
    prelude: Option<&str>,
    mut watch: Option<Watch<'_, '_>>,
) -> Result<(), Sent> {
    let sql = file.sql.as_str();
    // The slice being gathered: byte range in the file and statement indexes.
    let mut pending: Option<(Range<usize>, Range<usize>)> = None;
    let mut index = 0usize;
    let mut copy: Option<(usize, &str)> = None;
    // Text before this offset follows COPY data (psql runs a statement written
    // on the COPY's line after the data): a slice must not reach across it.
    let mut barrier = 0usize;
    async fn flush(
        conn: &mut PgConnection,
        sql: &str,
        pending: &mut Option<(Range<usize>, Range<usize>)>,
        cancel: &crate::cancel::Cancel,
        prelude: Option<&str>,
        watch: &mut Option<Watch<'_, '_>>,
    ) -> Result<(), Sent> {
        let Some((bytes, statements)) = pending.take() else { return Ok(()) };
        if cancel.is_requested() {
            return Err(Sent { error: cancelled_error(), offset: bytes.start, statements });
        }
        if let Some(prelude) = prelude
            && let Err(error) = sqlx::raw_sql(prelude).execute(&mut *conn).await
        {
            return Err(Sent { error, offset: bytes.start, statements });
        }
        let run = sqlx::raw_sql(&sql[bytes.clone()]).execute(&mut *conn);
        let result = match watch {
            Some(w) => watched(run, w.monitor, w.progress, w.migration).await,
            None => run.await,
        };
        match result {
            Ok(_) => Ok(()),
            Err(error) => Err(Sent { error, offset: bytes.start, statements }),
        }
    }
    for piece in split::pieces(sql) {
        match piece {
            Ok(Piece::Statement(s)) => {
                let i = index;
                index += 1;
                if !which.contains(&i) {
                    continue;
                }
                let end = s.offset + s.text.len();
                if s.copy_from_stdin {
                    flush(conn, sql, &mut pending, cancel, prelude, &mut watch).await?;
                    copy = Some((i, s.text));
                    continue;
                }
                match &mut pending {
                    Some((bytes, statements))
                        if chunk > 0
                            && s.offset >= bytes.end
                            && bytes.start >= barrier
                            && s.offset >= barrier
                            && end - bytes.start <= chunk =>
                    {
                        bytes.end = end;
                        statements.end = i + 1;
                    }
                    _ => {
                        flush(conn, sql, &mut pending, cancel, prelude, &mut watch).await?;
                        pending = Some((s.offset..end, i..i + 1));
                    }
                }
            }
            Ok(Piece::CopyData(d)) => {
                let Some((i, statement)) = copy.take() else { continue };
                barrier = d.offset + d.data.len();
                let offset = statement.as_ptr() as usize - sql.as_ptr() as usize;
                let fail = |error| Sent { error, offset, statements: i..i + 1 };
                if cancel.is_requested() {
                    return Err(fail(cancelled_error()));
                }
                if let Some(prelude) = prelude {
                    sqlx::raw_sql(prelude).execute(&mut *conn).await.map_err(fail)?;
                }
                let mut copy_in = conn.copy_in_raw(statement).await.map_err(fail)?;
                let sent = copy_in.send(d.data.as_bytes()).await.map(|_| ());
                match sent {
                    Ok(()) => {
                        copy_in.finish().await.map_err(fail)?;
                    }
                    Err(error) => {
                        let _ = copy_in.abort("strata: sending the COPY data failed").await;
                        return Err(fail(error));
                    }
                }
            }
            Ok(Piece::MetaCommand(_)) | Err(_) => {}
        }
    }
    flush(conn, sql, &mut pending, cancel, prelude, &mut watch).await
}

/// Says that the file ran to its end and failed at COMMIT (a deferred
/// constraint): no statement of the file is to blame.
fn at_commit(failure: &mut SqlFailure) {
    failure.context = Some(match failure.context.take() {
        Some(c) => format!("{c}\nat COMMIT"),
        None => "at COMMIT (a deferred constraint is checked when the file's transaction commits)".into(),
    });
}

/// Stands for a statement the caller cancelled before it was sent.
fn cancelled_error() -> sqlx::Error {
    sqlx::Error::Protocol("cancelled".into())
}

/// After an error: roll back the transaction if one is open (failed). A
/// `SELECT` succeeds outside a transaction (the error ended it, as at COMMIT)
/// and fails inside a failed one; so no `ROLLBACK` is sent without a
/// transaction, which would print PostgreSQL's "there is no transaction in
/// progress" warning.
async fn end_failed_transaction(conn: &mut PgConnection) {
    if sqlx::raw_sql("SELECT").execute(&mut *conn).await.is_err() {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
}

/// Rolls back the transaction the connection is in, failed or not; sends
/// nothing that would warn when none is open (outside one, `now()` is the
/// statement's own start).
async fn roll_back_open(conn: &mut PgConnection) {
    let open = sqlx::raw_sql("SELECT now() <> statement_timestamp()").fetch_one(&mut *conn).await;
    if !matches!(open.map(|row| row.try_get::<bool, _>(0)), Ok(Ok(false))) {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
}

/// The runner's own acknowledgement in a row, `(column, value)`: a row of one
/// or two columns, the first named [`TIMED`] or [`COMMITTED`], holding text
/// that starts with this run's nonce. Anything else is the file's own output.
fn acknowledgement(row: &sqlx::postgres::PgRow, nonce: &str) -> Option<(&'static str, String)> {
    let first = row.columns().first()?;
    let column = match first.name() {
        TIMED if row.columns().len() == 2 => TIMED,
        COMMITTED if row.columns().len() == 1 => COMMITTED,
        _ => return None,
    };
    let value: String = row.try_get(0).ok()?;
    let ours = value.strip_prefix(nonce).is_some_and(|rest| rest.starts_with(':'));
    ours.then_some((column, value))
}

/// A value no file can know in advance.
fn nonce() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    h.write_u32(std::process::id());
    format!("strata-{:016x}", h.finish())
}

/// The file's SQL error as the runner reports it: with a hint where PostgreSQL
/// refuses a statement inside a transaction.
fn sql_failure(m: &Migration, direction: Direction, db: &PgDatabaseError) -> SqlFailure {
    let mut f = SqlFailure::new(m, direction, db);
    if db.code() == "25001" && f.hint.is_none() {
        // active_sql_transaction: "CREATE INDEX CONCURRENTLY cannot run inside a transaction block".
        f.hint = Some(format!(
            "this statement cannot run inside a transaction: put `{}` on the first line of the file",
            crate::source::NO_TRANSACTION_DIRECTIVE
        ));
    }
    f
}
