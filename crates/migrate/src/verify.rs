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
//! transaction (`track_counts = off`). A file with `COPY ... FROM STDIN` data is
//! sent a statement at a time in its step's transaction, the data through the
//! COPY protocol, as the runner sends it.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{Column, PgConnection, Row};

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
    pub what: Broken,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Broken {
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
            Broken::NotIdempotentError { message } => {
                write!(f, "{}: not idempotent: running it a second time failed: {message}", self.file)
            }
            Broken::NotIdempotentChange { diff } => {
                write!(f, "{}: not idempotent: running it a second time changed the database\n{diff}", self.file)
            }
            Broken::DownDoesNotRestore { diff } => write!(
                f,
                "{}: its down file does not restore the database (- expected before up, + left after down)\n{diff}",
                self.file
            ),
            Broken::UpNotRepeatable { diff } => {
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
        step_query: "SELECT * FROM pg_temp.strata_step()".into(),
        incremental: crate::snapshot::counts_rows(conn).await?,
        flush: has_flush(conn).await?,
        catalog: Catalog::default(),
        steps: vec![],
        scope,
        outcome: Outcome::default(),
    };
    // A scratch database's commits need not survive a crash.
    sqlx::raw_sql("SET synchronous_commit = off; SET plan_cache_mode = force_generic_plan")
        .execute(&mut *conn)
        .await
        .map_err(|e| Error::database("configuring the scratch session", e))?;
    // The step query is long: as a PL/pgSQL function (in this session's temporary
    // schema, which no snapshot reads) it is planned once, not at every step.
    let function = format!(
        "CREATE FUNCTION pg_temp.strata_step() RETURNS TABLE (strata_tag text, strata_oid text, strata_schema text, strata_line text)
         LANGUAGE plpgsql AS $strata_step$ BEGIN RETURN QUERY {}; END $strata_step$",
        crate::snapshot::step_query(&s.scope)
    );
    sqlx::raw_sql(&function).execute(&mut *conn).await.map_err(|e| Error::database("creating the step query", e))?;
    s.catalog = Catalog::full(conn, &s.scope, &s.steps).await?;
    for m in set.iter() {
        let found = s.check(conn, m).await?;
        observer.checked(m, &found);
        s.outcome.problems.extend(found);
    }
    Ok(s.outcome)
}

/// The step's transaction, as text: its id (as rows' `xmin`), start and now (microseconds).
const STEP_META: &str = "SELECT (pg_current_xact_id()::text::bigint % 4294967296)::text AS strata_xid, \
     (extract(epoch FROM now()) * 1000000)::bigint::text AS strata_started, \
     (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text AS strata_ended";

struct Stepper {
    /// What a step runs, after its file, in its transaction: [`crate::snapshot::step_query`].
    step_query: String,
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
        self.run(conn, m, Direction::Up).await??;
        let after = self.catalog.checkpoint();
        let rerun = self.catalog.checkpoint();
        match self.run(conn, m, Direction::Up).await? {
            Ok(()) => {
                if let Some(diff) = self.catalog.since(rerun) {
                    found.push(Problem { track, file: up_path.clone(), what: Broken::NotIdempotentChange { diff } });
                }
            }
            Err(f) => found.push(Problem {
                track,
                file: up_path.clone(),
                what: Broken::NotIdempotentError { message: format!("{} (SQLSTATE {})", f.message, f.code) },
            }),
        }
        self.catalog.release(rerun);
        self.run(conn, m, Direction::Down).await??;
        if let Some(diff) = self.catalog.since(before) {
            found.push(Problem {
                track,
                file: m.down.path.display().to_string(),
                what: Broken::DownDoesNotRestore { diff },
            });
        }
        self.catalog.release(before);
        self.run(conn, m, Direction::Up).await??;
        if let Some(diff) = self.catalog.since(after) {
            found.push(Problem { track, file: up_path, what: Broken::UpNotRepeatable { diff } });
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
        let file = m.file(direction);
        if file.no_transaction || !self.incremental {
            let result = replay::run(conn, m, direction).await?;
            self.refresh_all(conn).await?;
            return Ok(result);
        }
        // The file, then (still in its transaction) what it changed and the
        // lines of what it wrote, then the commit. PostgreSQL's per-transaction
        // counters are really "since the last flush" (at most once a second, when
        // idle): flushing after each step keeps the next step's counters to that
        // step alone.
        let tail = replay::Tail {
            before_commit: &format!("{STEP_META};\n{};\n", self.step_query),
            after_commit: if self.flush { "\nSELECT pg_stat_force_next_flush();" } else { "" },
        };
        let rows = match replay::in_transaction(conn, m, direction, Some(tail)).await? {
            Ok(rows) => rows,
            Err(f) => return Ok(Err(f)),
        };
        let mut catalog_rows = vec![];
        let mut step = None;
        for row in rows {
            let Some(first) = row.columns().first() else { continue };
            let text = |i: usize| row.try_get::<Option<String>, _>(i).ok().flatten().unwrap_or_default();
            match first.name() {
                "strata_xid" => {
                    let micros = |i: usize| {
                        DateTime::<Utc>::from_timestamp_micros(text(i).parse().unwrap_or(0)).unwrap_or_default()
                    };
                    step = Some(Step {
                        xid: text(0).parse().unwrap_or(0),
                        started: micros(1),
                        ended: micros(2),
                        sql: Arc::from(file.sql.as_str()),
                    });
                }
                "strata_tag" => catalog_rows.push((text(0), text(1), text(2), text(3))),
                _ => {} // rows of the file's own SELECTs
            }
        }
        self.steps.extend(step);
        let seen = self.catalog.apply_step(conn, &self.scope, catalog_rows, &self.steps).await?;
        self.outcome.loose.extend(seen.loose);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Verifies a project whose one migrate file is `up` / `down`.
    async fn verify_one(up: &str, down: &str) -> Outcome {
        let dir = strata_testing::MigrationDir::new();
        dir.write("migrate", "20251124_000001_seed", up, down);
        let set = MigrationSet::load(dir.path()).unwrap();
        let db = strata_testing::TestDb::new();
        let mut conn = db.connect().await;
        verify(&mut conn, &set, &Options::default(), &mut ()).await.unwrap()
    }

    const DOWN: &str = "DROP TABLE IF EXISTS public.s;\n";

    fn copy_seed(table: &str, before: &str) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS public.s ({table});\n{before}COPY public.s (id, name) FROM STDIN;\n1\ta\n2\tb\n\\.\n"
        )
    }

    /// A seed with `COPY ... FROM STDIN` data runs as the runner runs it (the data
    /// through the COPY protocol), and its rows count in every step's comparison.
    #[tokio::test]
    async fn a_seed_with_copy_data_is_verified() {
        let clean = verify_one(&copy_seed("id int, name text", "DELETE FROM public.s;\n"), DOWN).await;
        assert!(clean.problems.is_empty(), "{:#?}", clean.problems);

        let twice = verify_one(&copy_seed("id int, name text", ""), DOWN).await;
        let [p] = &twice.problems[..] else { panic!("{:#?}", twice.problems) };
        assert!(matches!(p.what, Broken::NotIdempotentChange { .. }), "{p}");
        assert!(p.to_string().contains("+ data public.s: 4 rows"), "{p}");

        let fails = verify_one(&copy_seed("id int PRIMARY KEY, name text", ""), DOWN).await;
        let [p] = &fails.problems[..] else { panic!("{:#?}", fails.problems) };
        assert!(matches!(&p.what, Broken::NotIdempotentError { message } if message.contains("SQLSTATE 23505")), "{p}");
    }
}
