//! The SQL console: one statement per run, in a transaction that is `READ ONLY`
//! unless the studio runs with `--write` and the user asked to commit, with the
//! statement timeout and a cap on the rows shown.
//!
//! The statement is first prepared (extended protocol), which PostgreSQL refuses
//! for more than one statement, so `COMMIT; DELETE ...` cannot step out of the
//! read-only transaction. Rows are then read through a cursor (only the capped
//! number leaves the server) or, for statements a cursor cannot hold, with the
//! simple protocol; both return values as text, so every type displays.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use sqlx::{Column, Connection, Executor, PgPool, Statement, TypeInfo};

use crate::db::failure::DbFailure;
use crate::db::text_rows;
use crate::db::transaction::{self, Access};
use crate::db::{cursor, sql_text};
use crate::error::StudioError;

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
    /// More rows existed than the cap.
    pub truncated: bool,
    /// For statements without rows: how many rows they changed.
    pub rows_affected: Option<u64>,
    pub elapsed: Duration,
    /// The transaction was committed (write mode, asked for).
    pub committed: bool,
}

/// The console's answer: rows, or PostgreSQL's refusal (positions in the user's text).
pub type Answer = Result<Outcome, DbFailure>;

/// Runs `sql`; `commit` makes the transaction read-write and commits it (the
/// caller checks that the studio allows writes).
pub async fn run(
    pool: &PgPool,
    sql: &str,
    mode: Mode,
    commit: bool,
    timeout: Duration,
    row_cap: usize,
) -> Result<Answer, StudioError> {
    let sql = sql_text::single(sql).ok_or_else(|| StudioError::BadRequest("there is no statement to run".into()))?;
    let prefix = mode.prefix();
    let text = format!("{prefix}{sql}");
    let access = if commit { Access::ReadWrite } else { Access::ReadOnly };
    let mut tx = transaction::begin(pool, access, timeout).await?;
    let started = Instant::now();
    let result = execute(&mut tx, &text, mode, row_cap).await;
    let elapsed = started.elapsed();
    // `prepare` cached the user's statement on this pooled connection; a later
    // schema change would make that cached plan fail, so it goes now.
    let _ = tx.clear_cached_statements().await;
    match result {
        Ok(mut outcome) => {
            outcome.elapsed = elapsed;
            if commit {
                tx.commit().await?;
                outcome.committed = true;
            } else {
                tx.rollback().await?;
            }
            Ok(Ok(outcome))
        }
        Err(err) => {
            // The transaction is aborted; dropping it rolls back.
            drop(tx);
            match DbFailure::from_sqlx(&err) {
                Some(mut failure) => {
                    failure.position = failure.position.and_then(|p| p.checked_sub(prefix.chars().count()));
                    Ok(Err(failure))
                }
                None => Err(err.into()),
            }
        }
    }
}

async fn execute(
    conn: &mut sqlx::PgConnection,
    text: &str,
    mode: Mode,
    row_cap: usize,
) -> Result<Outcome, sqlx::Error> {
    let statement = (&mut *conn).prepare(text).await?;
    let columns: Vec<ResultColumn> = statement
        .columns()
        .iter()
        .map(|c| ResultColumn { name: c.name().to_owned(), type_name: c.type_info().name().to_owned() })
        .collect();
    let mut outcome = Outcome {
        columns,
        rows: Vec::new(),
        truncated: false,
        rows_affected: None,
        elapsed: Duration::ZERO,
        committed: false,
    };
    if outcome.columns.is_empty() {
        let done = sqlx::query(text).execute(&mut *conn).await?;
        outcome.rows_affected = Some(done.rows_affected());
        return Ok(outcome);
    }
    let mut rows = if mode == Mode::Run { through_cursor(conn, text, row_cap).await? } else { None };
    if rows.is_none() {
        // Proven a single statement by `prepare`, so the simple protocol is safe here.
        let mut stream = (&mut *conn).fetch(sqlx::raw_sql(text));
        let mut taken = Vec::new();
        while taken.len() <= row_cap {
            match stream.try_next().await? {
                Some(row) => taken.push(text_rows::values(&row)),
                None => break,
            }
        }
        rows = Some(taken);
    }
    let mut rows = rows.unwrap_or_default();
    outcome.truncated = rows.len() > row_cap;
    rows.truncate(row_cap);
    outcome.rows = rows;
    Ok(outcome)
}

/// Reads at most `row_cap + 1` rows through a cursor; `None` when the statement
/// cannot be a cursor's query (e.g. `INSERT ... RETURNING`, `SHOW`).
async fn through_cursor(
    conn: &mut sqlx::PgConnection,
    text: &str,
    row_cap: usize,
) -> Result<Option<Vec<Vec<Option<String>>>>, sqlx::Error> {
    (&mut *conn).execute(sqlx::raw_sql("SAVEPOINT strata_console")).await?;
    match cursor::declare(conn, text, &[]).await {
        Ok(()) => {
            let rows = cursor::fetch(conn, row_cap + 1).await?;
            Ok(Some(rows))
        }
        Err(_) => {
            (&mut *conn).execute(sqlx::raw_sql("ROLLBACK TO SAVEPOINT strata_console")).await?;
            Ok(None)
        }
    }
}
