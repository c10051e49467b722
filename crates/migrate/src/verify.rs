//! `verify`: prove on a scratch database that every up is idempotent and every
//! down restores exactly what was there before its up.
//!
//! For each file in order: up, the same up once more (it must succeed and change
//! nothing), down (the database must be what it was before the up), up again
//! (equal to the first up). What "the database" means is the [`Catalog`]
//! snapshot: schemas, tables, columns, constraints, indexes, views, functions,
//! triggers, sequences, types, extensions, policies, grants, default privileges,
//! comments, and a hash of every table's rows, so seeds are checked too. Values
//! a column's default computes at insert time are compared loosely (see
//! [`crate::snapshot`]); the outcome names those columns.
//!
//! Each step runs in a transaction of its own that, before it commits, asks
//! PostgreSQL what it changed and re-reads only that ([`Catalog::refresh_in_transaction`]):
//! a step costs what it changes, not what the database holds, so verifying N
//! files takes time linear in N. Files do not go through the runner and leave no
//! history rows: verify checks what the files do, the runner is tested on its own.
//! A `-- strata:no-transaction` file runs statement by statement and is followed
//! by a full re-read, as is every step when the server does not count rows per
//! transaction (`track_counts = off`).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::Options;
use crate::error::{Error, SqlFailure};
use crate::plan::Direction;
use crate::replay;
use crate::snapshot::{Catalog, Scope, Step};
use crate::source::{Migration, MigrationSet, Track};

pub use crate::snapshot::Diff;

/// A file that broke a promise.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    pub track: Track,
    pub file: String,
    pub what: ProblemKind,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// Running the up file a second time failed.
    NotIdempotentError { message: String },
    /// Running the up file a second time changed the database.
    NotIdempotentChange { diff: Diff },
    /// After down, the database is not what it was before up.
    DownDoesNotRestore { diff: Diff },
    /// After down and up again, the database differs from the first up.
    UpNotRepeatable { diff: Diff },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.what {
            ProblemKind::NotIdempotentError { message } => {
                write!(f, "{}: not idempotent: running it a second time failed: {message}", self.file)
            }
            ProblemKind::NotIdempotentChange { diff } => {
                write!(f, "{}: not idempotent: running it a second time changed the database\n{diff}", self.file)
            }
            ProblemKind::DownDoesNotRestore { diff } => write!(
                f,
                "{}: its down file does not restore the database (- expected before up, + left after down)\n{diff}",
                self.file
            ),
            ProblemKind::UpNotRepeatable { diff } => {
                write!(f, "{}: after down, up again gives a different database\n{diff}", self.file)
            }
        }
    }
}

/// What a verification found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Outcome {
    pub problems: Vec<Problem>,
    /// Columns whose values, where their default computed them at insert time,
    /// were compared loosely (`schema.table.column`).
    pub loose: BTreeSet<String>,
}

/// Progress of a verification.
pub trait VerifyObserver {
    fn checked(&mut self, migration: &Migration, problems: &[Problem]);
}

impl VerifyObserver for () {
    fn checked(&mut self, _: &Migration, _: &[Problem]) {}
}

/// Verifies every file of both tracks on `conn`, which must be an empty scratch
/// database. Returns every problem found; stops at a file whose up or down fails.
pub async fn verify(
    conn: &mut PgConnection,
    set: &MigrationSet,
    opts: &Options,
    observer: &mut dyn VerifyObserver,
) -> Result<Outcome, Error> {
    let scope = Scope { history: opts.history.clone(), data: true };
    let mut s = Stepper {
        incremental: crate::snapshot::counts_rows(conn).await?,
        flush: has_flush(conn).await?,
        catalog: Catalog::default(),
        steps: vec![],
        scope,
        outcome: Outcome::default(),
    };
    // A scratch database's commits need not survive a crash.
    sqlx::raw_sql("SET synchronous_commit = off")
        .execute(&mut *conn)
        .await
        .map_err(|e| Error::database("configuring the scratch session", e))?;
    s.catalog = Catalog::full(conn, &s.scope, &s.steps).await?;
    for track in Track::ALL {
        for m in set.track(track) {
            let found = s.check(conn, m).await?;
            observer.checked(m, &found);
            s.outcome.problems.extend(found);
        }
    }
    Ok(s.outcome)
}

struct Stepper {
    incremental: bool,
    /// `pg_stat_force_next_flush()` exists (PostgreSQL 15 and later).
    flush: bool,
    catalog: Catalog,
    steps: Vec<Step>,
    scope: Scope,
    outcome: Outcome,
}

impl Stepper {
    async fn check(&mut self, conn: &mut PgConnection, m: &Migration) -> Result<Vec<Problem>, Error> {
        let track = m.track;
        let up_path = m.up.path.display().to_string();
        let mut found = vec![];
        let before = self.catalog.checkpoint();
        self.run(conn, m, Direction::Up).await?.map_err(|f| Error::Sql(Box::new(f)))?;
        let after = self.catalog.checkpoint();
        let rerun = self.catalog.checkpoint();
        match self.run(conn, m, Direction::Up).await? {
            Ok(()) => {
                if let Some(diff) = self.catalog.since(rerun) {
                    found.push(Problem {
                        track,
                        file: up_path.clone(),
                        what: ProblemKind::NotIdempotentChange { diff },
                    });
                }
            }
            Err(f) => found.push(Problem {
                track,
                file: up_path.clone(),
                what: ProblemKind::NotIdempotentError { message: format!("{} (SQLSTATE {})", f.message, f.code) },
            }),
        }
        self.catalog.release(rerun);
        self.run(conn, m, Direction::Down).await?.map_err(|f| Error::Sql(Box::new(f)))?;
        if let Some(diff) = self.catalog.since(before) {
            found.push(Problem {
                track,
                file: m.down.path.display().to_string(),
                what: ProblemKind::DownDoesNotRestore { diff },
            });
        }
        self.catalog.release(before);
        self.run(conn, m, Direction::Up).await?.map_err(|f| Error::Sql(Box::new(f)))?;
        if let Some(diff) = self.catalog.since(after) {
            found.push(Problem { track, file: up_path, what: ProblemKind::UpNotRepeatable { diff } });
        }
        self.catalog.release(after);
        Ok(found)
    }

    /// Runs one file and refreshes the catalog. The outer error is the
    /// database's (stop); the inner one the file's SQL failing (rolled back).
    async fn run(
        &mut self,
        conn: &mut PgConnection,
        m: &Migration,
        direction: Direction,
    ) -> Result<Result<(), SqlFailure>, Error> {
        let file = replay::file_of(m, direction);
        if file.no_transaction {
            let result = replay::statementwise(conn, m, direction).await?;
            self.refresh_all(conn).await?;
            return Ok(result);
        }
        let sql = format!("{}{}\n;", replay::PREFIX, file.sql);
        if let Err(err) = sqlx::raw_sql(&sql).execute(&mut *conn).await {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            let f = replay::failure(m, direction, err)?;
            return Ok(Err(replay::located(f, file, None, replay::PREFIX.len())));
        }
        if self.incremental {
            let (xid, started, ended): (i64, DateTime<Utc>, DateTime<Utc>) =
                sqlx::query_as("SELECT pg_current_xact_id()::text::bigint % 4294967296, now(), clock_timestamp()")
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| Error::database("reading the step's transaction", e))?;
            self.steps.push(Step { xid, started, ended, sql: Arc::from(file.sql.as_str()) });
            let seen = self.catalog.refresh_in_transaction(conn, &self.scope, &self.steps).await?;
            self.outcome.loose.extend(seen.loose);
        }
        // PostgreSQL's per-transaction counters are really "since the last flush"
        // (at most once a second, when idle): flushing after each step keeps the
        // next step's counters to that step alone, so it re-reads no more than it
        // changed.
        let commit = if self.flush { "COMMIT; SELECT pg_stat_force_next_flush()" } else { "COMMIT" };
        sqlx::raw_sql(commit).execute(&mut *conn).await.map_err(|e| Error::database("committing a step", e))?;
        if !self.incremental {
            self.refresh_all(conn).await?;
        }
        Ok(Ok(()))
    }

    async fn refresh_all(&mut self, conn: &mut PgConnection) -> Result<(), Error> {
        let seen = self.catalog.reread_all(conn, &self.scope, &self.steps).await?;
        self.outcome.loose.extend(seen.loose);
        Ok(())
    }
}

async fn has_flush(conn: &mut PgConnection) -> Result<bool, Error> {
    sqlx::query_scalar("SELECT to_regproc('pg_catalog.pg_stat_force_next_flush') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| Error::database("reading the server's functions", e))
}
