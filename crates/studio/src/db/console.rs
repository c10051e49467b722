//! The SQL console: one statement per run, in a transaction that is `READ ONLY`
//! unless the studio runs with `--write` and the user asked to commit, with the
//! statement timeout, a cap on the rows shown and caps on their bytes.
//!
//! The statement is first prepared (extended protocol), which PostgreSQL refuses
//! for more than one statement, so `COMMIT; DELETE ...` cannot step out of the
//! read-only transaction. A statement that returns rows is then wrapped so that
//! PostgreSQL itself cuts every value to the value cap before sending it
//! (`WITH q(c1, ...) AS (<statement>) SELECT left(c1::text, n + 1), ... FROM q`),
//! and read through a cursor in batches small enough that one batch stays within
//! the page's byte cap; once the page is full the cursor is dropped and the
//! statement stops. Statements that cannot be wrapped (`SHOW`, `EXPLAIN`) are read
//! row by row with the simple protocol and cut on arrival. Every value arrives as
//! text, so every type displays.
//!
//! The console runs on [`crate::state::Studio::console_pool`], whose connections
//! are closed after each run, and only on a login that cannot reach past the
//! database ([`crate::db::login`]).

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use sqlx::{Column, Executor, PgPool, Statement, TypeInfo};

use crate::db::error::DbError;
use crate::db::failure::DbFailure;
use crate::db::login;
use crate::db::text_rows;
use crate::db::transaction::{self, Access};
use crate::db::{cursor, sql_text};

/// What the user asked the console to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    /// `EXPLAIN`: the plan, without running.
    Explain,
    /// `EXPLAIN (ANALYZE, BUFFERS)`: runs the statement (inside the same transaction,
    /// so still read-only) and shows the plan with timings.
    ExplainAnalyze,
}

impl Mode {
    fn prefix(self) -> &'static str {
        match self {
            Mode::Run => "",
            Mode::Explain => "EXPLAIN ",
            Mode::ExplainAnalyze => "EXPLAIN (ANALYZE, BUFFERS) ",
        }
    }
}

/// How much one run may take and show.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// `statement_timeout` (and `lock_timeout`).
    pub timeout: Duration,
    /// Rows shown.
    pub rows: usize,
    /// Characters of one value shown.
    pub value_chars: usize,
    /// Bytes of values on one page.
    pub page_bytes: usize,
}

/// Who may run what: the studio's mode and its loud flag.
#[derive(Debug, Clone, Copy)]
pub struct Rights {
    /// The studio runs with `--write`.
    pub write: bool,
    /// `--unsafe-superuser-console`.
    pub unsafe_console: bool,
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultColumn {
    pub name: String,
    pub type_name: String,
}

/// What a statement returned.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<Option<String>>>,
    /// More rows existed than the row cap.
    pub truncated: bool,
    /// The page reached its byte cap; rows after the last one shown were not read.
    pub page_full: bool,
    /// The (row, column) of every value cut at the value cap.
    pub cut: Vec<(usize, usize)>,
    /// For statements without rows: how many rows they changed.
    pub rows_affected: Option<u64>,
    pub elapsed: Duration,
    /// The transaction was committed (write mode, asked for).
    pub committed: bool,
}

impl Outcome {
    pub fn is_cut(&self, row: usize, column: usize) -> bool {
        self.cut.binary_search(&(row, column)).is_ok()
    }
}

/// The console's answer: rows, or PostgreSQL's refusal (positions in the user's text).
pub type Answer = Result<Outcome, DbFailure>;

/// Runs `sql`; [`Access::ReadWrite`] commits it, read-only rolls it back.
pub async fn run(
    pool: &PgPool,
    sql: &str,
    mode: Mode,
    access: Access,
    limits: Limits,
    rights: Rights,
) -> Result<Answer, DbError> {
    let sql = sql_text::single(sql).ok_or_else(|| DbError::NoStatement)?;
    let prefix = mode.prefix();
    let text = format!("{prefix}{sql}");
    let mut tx = transaction::begin(pool, access, limits.timeout).await?;
    refuse_unsafe_login(&mut tx, rights).await?;
    let started = Instant::now();
    let result = execute(&mut tx, &text, mode, limits).await;
    let elapsed = started.elapsed();
    match result {
        Ok(mut outcome) => {
            outcome.elapsed = elapsed;
            if access.writes() {
                tx.commit().await?;
                outcome.committed = true;
            } else {
                tx.rollback().await?;
            }
            Ok(Ok(outcome))
        }
        Err(Failed { error, offset }) => {
            // The transaction is aborted; dropping it rolls back (and the console
            // pool closes the connection).
            drop(tx);
            match DbFailure::from_sqlx(&error) {
                Some(mut failure) => {
                    failure.position = match offset {
                        Some(offset) => failure.position.and_then(|p| p.checked_sub(offset)).filter(|p| *p > 0),
                        None => None,
                    };
                    Ok(Err(failure))
                }
                None => Err(not_a_database_error(sql, error)),
            }
        }
    }
}

/// Refuses, in the run's own transaction, a login on which the console would be
/// a shell on the database server.
pub async fn refuse_unsafe_login(conn: &mut sqlx::PgConnection, rights: Rights) -> Result<(), DbError> {
    let login = login::inspect(conn, rights.write).await?;
    match login.console_refusal(rights.unsafe_console) {
        Some(why) => Err(DbError::UnsafeLogin { why }),
        None => Ok(()),
    }
}

/// A statement the console could not follow (the server started a `COPY` data
/// exchange): the user's doing, so a 400 that says what to use instead.
fn not_a_database_error(sql: &str, error: sqlx::Error) -> DbError {
    match error {
        sqlx::Error::Protocol(message) => {
            let first = sql.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            if first == "COPY" { DbError::CopyInConsole } else { DbError::ConsoleCannotFollow { message } }
        }
        other => other.into(),
    }
}

/// A failed statement and where the user's text starts in the text that failed
/// (`None`: PostgreSQL's position points into generated text).
struct Failed {
    error: sqlx::Error,
    offset: Option<usize>,
}

impl Failed {
    fn at(offset: Option<usize>) -> impl FnOnce(sqlx::Error) -> Failed {
        move |error| Failed { error, offset }
    }
}

/// Codes of a wrapped statement that mean "this statement cannot be wrapped"
/// (`SHOW` or `EXPLAIN` in a `WITH`, a data-modifying `WITH` in a cursor, a
/// value without a text form): read it unwrapped instead.
fn cannot_wrap(error: &sqlx::Error) -> bool {
    DbFailure::from_sqlx(error).is_some_and(|f| matches!(f.code.as_str(), "42601" | "0A000" | "42846"))
}

async fn execute(conn: &mut sqlx::PgConnection, text: &str, mode: Mode, limits: Limits) -> Result<Outcome, Failed> {
    let prefix_chars = Some(mode.prefix().chars().count());
    let statement = (&mut *conn).prepare(text).await.map_err(Failed::at(prefix_chars))?;
    let columns: Vec<ResultColumn> = statement
        .columns()
        .iter()
        .map(|c| ResultColumn { name: c.name().to_owned(), type_name: c.type_info().name().to_owned() })
        .collect();
    // `prepare` cached the user's statement on this connection; it goes now.
    let _ = sqlx::Connection::clear_cached_statements(&mut *conn).await;
    let mut page = Page::new(columns.len(), limits);
    let mut outcome = Outcome {
        columns,
        rows: Vec::new(),
        truncated: false,
        page_full: false,
        cut: Vec::new(),
        rows_affected: None,
        elapsed: Duration::ZERO,
        committed: false,
    };
    if outcome.columns.is_empty() {
        let done = sqlx::query(text).persistent(false).execute(&mut *conn).await.map_err(Failed::at(prefix_chars))?;
        outcome.rows_affected = Some(done.rows_affected());
        return Ok(outcome);
    }
    let wrapped_done = if mode == Mode::Run { wrapped(conn, text, &mut page).await? } else { false };
    if !wrapped_done {
        // Proven a single statement by `prepare`, so the simple protocol is safe here.
        let mut stream = (&mut *conn).fetch(sqlx::raw_sql(text));
        while !page.done() {
            match stream.try_next().await.map_err(Failed::at(prefix_chars))? {
                Some(row) => page.push(text_rows::values(&row)),
                None => break,
            }
        }
        page.more_rows = stream.try_next().await.ok().flatten().is_some();
    }
    page.finish(&mut outcome);
    Ok(outcome)
}

/// Reads the statement wrapped so that PostgreSQL cuts its values: through a
/// cursor, else (a data-modifying statement with `RETURNING`) as one streamed
/// statement. `false` when it cannot be wrapped.
async fn wrapped(conn: &mut sqlx::PgConnection, text: &str, page: &mut Page) -> Result<bool, Failed> {
    let wrapped = wrap(text, page.columns, page.limits.value_chars);
    (&mut *conn).execute(sqlx::raw_sql("SAVEPOINT strata_console")).await.map_err(Failed::at(None))?;
    match cursor::declare(conn, &wrapped, &[]).await {
        Ok(()) => {
            while !page.done() {
                let batch = cursor::fetch(conn, page.batch_rows()).await.map_err(Failed::at(None))?;
                let end = batch.len() < page.batch_rows();
                for row in batch {
                    if page.done() {
                        page.more_rows = true;
                        break;
                    }
                    page.push(row);
                }
                if end {
                    return Ok(true);
                }
            }
            page.more_rows = page.more_rows || !cursor::fetch(conn, 1).await.map_err(Failed::at(None))?.is_empty();
            Ok(true)
        }
        Err(e) if cannot_wrap(&e) => {
            (&mut *conn)
                .execute(sqlx::raw_sql("ROLLBACK TO SAVEPOINT strata_console"))
                .await
                .map_err(Failed::at(None))?;
            let streamed = {
                let mut stream = sqlx::query(&wrapped).persistent(false).fetch(&mut *conn);
                let mut result = Ok(());
                while !page.done() {
                    match stream.try_next().await {
                        Ok(Some(row)) => page.push(text_rows::values(&row)),
                        Ok(None) => break,
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                if result.is_ok() && page.done() {
                    page.more_rows = stream.try_next().await.ok().flatten().is_some();
                }
                result
            };
            match streamed {
                Ok(()) => Ok(true),
                Err(e) if cannot_wrap(&e) && page.rows.is_empty() => {
                    (&mut *conn)
                        .execute(sqlx::raw_sql("ROLLBACK TO SAVEPOINT strata_console"))
                        .await
                        .map_err(Failed::at(None))?;
                    Ok(false)
                }
                Err(e) => Err(Failed { error: e, offset: None }),
            }
        }
        Err(e) => Err(Failed { error: e, offset: None }),
    }
}

/// `WITH q(c1, ...) AS (<text>) SELECT left(c1::text, cap + 1), ... FROM q`. The
/// newline before `)` ends a trailing `--` comment of the user's text.
pub fn wrap(text: &str, columns: usize, value_chars: usize) -> String {
    let names: Vec<String> = (1..=columns).map(|i| format!("c{i}")).collect();
    let values: Vec<String> = names
        .iter()
        .map(|n| format!("pg_catalog.left(strata_q.{n}::text, {})", value_chars.saturating_add(1)))
        .collect();
    format!("WITH strata_q({}) AS (\n{text}\n) SELECT {} FROM strata_q", names.join(", "), values.join(", "))
}

/// The rows of one page as they arrive, with the caps applied.
struct Page {
    columns: usize,
    limits: Limits,
    rows: Vec<Vec<Option<String>>>,
    cut: Vec<(usize, usize)>,
    bytes: usize,
    full: bool,
    more_rows: bool,
}

impl Page {
    fn new(columns: usize, limits: Limits) -> Page {
        Page { columns, limits, rows: Vec::new(), cut: Vec::new(), bytes: 0, full: false, more_rows: false }
    }

    /// No more rows are wanted: the row cap or the byte cap is reached.
    fn done(&self) -> bool {
        self.full || self.rows.len() >= self.limits.rows
    }

    /// Rows per `FETCH`, so that a batch of values cut at the cap (4 bytes per
    /// character at most) stays within the page's byte cap.
    fn batch_rows(&self) -> usize {
        let worst_row = self.columns.max(1).saturating_mul(self.limits.value_chars.saturating_add(1)).saturating_mul(4);
        (self.limits.page_bytes / worst_row.max(1)).clamp(1, 100)
    }

    fn push(&mut self, mut row: Vec<Option<String>>) {
        let index = self.rows.len();
        let mut size = 0;
        for (column, value) in row.iter_mut().enumerate() {
            if let Some(text) = value {
                if cut_chars(text, self.limits.value_chars) {
                    self.cut.push((index, column));
                }
                size += text.len();
            }
        }
        if !self.rows.is_empty() && self.bytes + size > self.limits.page_bytes {
            self.full = true;
            self.more_rows = true;
            self.cut.retain(|(r, _)| *r != index);
            return;
        }
        self.bytes += size;
        self.rows.push(row);
        if self.bytes >= self.limits.page_bytes {
            self.full = true;
        }
    }

    /// Hands the rows over, saying which cap (if any) left rows unread.
    fn finish(self, outcome: &mut Outcome) {
        outcome.truncated = self.more_rows && !self.full;
        outcome.page_full = self.more_rows && self.full;
        outcome.rows = self.rows;
        outcome.cut = self.cut;
    }
}

/// Cuts `text` to `max` characters; whether it was longer.
pub fn cut_chars(text: &mut String, max: usize) -> bool {
    match text.char_indices().nth(max) {
        Some((at, _)) => {
            text.truncate(at);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rows: usize, value_chars: usize, page_bytes: usize) -> Limits {
        Limits { timeout: Duration::from_secs(1), rows, value_chars, page_bytes }
    }

    #[test]
    fn values_are_cut_by_characters() {
        let mut s = "héllo".to_owned();
        assert!(cut_chars(&mut s, 2));
        assert_eq!(s, "hé");
        let mut s = "ab".to_owned();
        assert!(!cut_chars(&mut s, 2));
    }

    #[test]
    fn the_wrapper_cuts_every_column_and_survives_a_trailing_comment() {
        assert_eq!(
            wrap("SELECT 1, 2 -- two", 2, 10),
            "WITH strata_q(c1, c2) AS (\nSELECT 1, 2 -- two\n) SELECT pg_catalog.left(strata_q.c1::text, 11), \
             pg_catalog.left(strata_q.c2::text, 11) FROM strata_q"
        );
    }

    #[test]
    fn a_page_stops_at_its_byte_cap_and_marks_cut_values() {
        let mut page = Page::new(1, limits(100, 3, 10));
        page.push(vec![Some("abcdef".into())]);
        assert_eq!(page.rows, vec![vec![Some("abc".to_owned())]]);
        assert_eq!(page.cut, vec![(0, 0)]);
        page.push(vec![Some("xyz".into())]);
        page.push(vec![Some("uvw".into())]);
        assert!(!page.done());
        page.push(vec![Some("rst".into())]);
        assert!(page.done(), "12 bytes > 10");
        assert_eq!(page.rows.len(), 3);
        assert!(page.batch_rows() >= 1);
    }
}
