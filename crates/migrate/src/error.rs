//! The engine's one error type: what went wrong ([`ErrorKind`]) and what the run
//! had done before ([`Report`]).

use std::path::PathBuf;
use std::time::Duration;

use sqlx::postgres::{PgDatabaseError, PgErrorPosition};

use crate::lock::LockHolder;
use crate::plan::{Direction, PlanError};
use crate::report::Report;
use crate::source::{Migration, SourceErrors, Track, Version};

/// An error of the engine, with what the run had done before it stopped
/// (refinery's `Error` carries its `Report` the same way): [`Error::kind`] says
/// what went wrong, [`Error::report`] what ran first (empty when nothing did, or
/// when the error is not a run's). Displays as its kind, whose cause is its source.
#[derive(Debug)]
pub struct Error {
    kind: Box<ErrorKind>,
    report: Report,
}

/// What went wrong. Each variant carries what the user needs to act on it.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error(transparent)]
    Source(#[from] SourceErrors),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A database operation of the runner itself failed (not a migration file).
    #[error("{context}: {message}")]
    Database { context: &'static str, message: String },
    #[error("the history table {table} holds a row strata cannot read: {what}")]
    CorruptHistory { table: String, what: String },
    #[error("timed out after {:.1}s waiting for the migration lock{}", .waited.as_secs_f64(), .holder.as_ref().map(|h| format!(", held by {h}")).unwrap_or_else(|| ", now released".into()))]
    LockTimeout { waited: Duration, holder: Option<LockHolder> },
    #[error(transparent)]
    Sql(Box<SqlFailure>),
    #[error("refusing to roll back migrations while seeds are applied ({}); roll them back first with `strata seed down`", .seeds.join(", "))]
    SeedsApplied { seeds: Vec<String> },
    #[error("the server is a read-only standby (pg_is_in_recovery() is true); run migrations against the primary")]
    Standby,
    #[error("{track} version {version} is not in the migration files")]
    UnknownVersion { track: Track, version: Version },
    /// A file the runner refuses before running anything: it is not complete on
    /// its own, holds psql-only input, or ends its own transaction.
    #[error("{}:{line}:{column}: {reason}", .path.display())]
    Unrunnable {
        path: PathBuf,
        /// 1-based line and column of what is refused.
        line: usize,
        column: usize,
        reason: String,
    },
    /// The run was cancelled ([`crate::Cancel`]); the file that was running rolled back.
    #[error("cancelled{}", .file.as_ref().map(|f| format!(" while running {}; its transaction rolled back", f.display())).unwrap_or_default())]
    Cancelled {
        /// The file whose statement was cancelled, if one was running.
        file: Option<PathBuf>,
    },
}

/// PostgreSQL's own error, when `err` is one.
pub(crate) fn pg_error(err: &sqlx::Error) -> Option<&PgDatabaseError> {
    err.as_database_error().and_then(|d| d.try_downcast_ref::<PgDatabaseError>())
}

/// How the binary should treat an error (its exit status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// A migration or database operation failed (exit 1).
    Failed,
    /// The request itself is wrong (exit 2).
    Invalid,
    /// The migration set or the database is inconsistent (exit 3).
    Inconsistent,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// What went wrong, by value (the report dropped).
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    pub(crate) fn kind_mut(&mut self) -> &mut ErrorKind {
        &mut self.kind
    }

    /// The files that ran (and committed) before the error, in order.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The error of a run that had done `report` before it stopped.
    pub(crate) fn with_report(mut self, report: Report) -> Error {
        self.report = report;
        self
    }

    /// sqlx's own Display repeats PostgreSQL's message ("error returned from
    /// database: X" with X again as its source); keep it once, with SQLSTATE.
    pub(crate) fn database(context: &'static str, source: sqlx::Error) -> Error {
        let message = match source.as_database_error() {
            Some(db) => match db.code() {
                Some(code) => format!("{} (SQLSTATE {code})", db.message()),
                None => db.message().to_owned(),
            },
            None => source.to_string(),
        };
        ErrorKind::Database { context, message }.into()
    }

    /// How the binary should treat this error (its exit status).
    pub fn class(&self) -> ErrorClass {
        use ErrorKind as K;
        match self.kind() {
            K::Source(_) | K::CorruptHistory { .. } | K::SeedsApplied { .. } | K::Unrunnable { .. } => {
                ErrorClass::Inconsistent
            }
            K::Plan(PlanError::Inconsistent { .. }) => ErrorClass::Inconsistent,
            K::Plan(PlanError::UnknownTarget { .. }) | K::UnknownVersion { .. } => ErrorClass::Invalid,
            K::Database { .. } | K::LockTimeout { .. } | K::Sql(_) | K::Standby | K::Cancelled { .. } => {
                ErrorClass::Failed
            }
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error { kind: Box::new(kind), report: Report::default() }
    }
}

impl From<SourceErrors> for Error {
    fn from(e: SourceErrors) -> Self {
        ErrorKind::from(e).into()
    }
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        ErrorKind::from(e).into()
    }
}

impl From<SqlFailure> for Error {
    fn from(f: SqlFailure) -> Self {
        ErrorKind::Sql(Box::new(f)).into()
    }
}

/// A file that PostgreSQL refused, located in the file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}{location}: {direction} failed: {message} (SQLSTATE {code})", path = .path.display(), location = self.location(), direction = .direction.as_str())]
pub struct SqlFailure {
    pub track: Track,
    pub version: Version,
    pub direction: Direction,
    pub path: PathBuf,
    /// 1-based line and column in the file, when PostgreSQL gave a position or the
    /// failing statement could be found.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// 1-based index of the failing statement (no-transaction files, and files
    /// whose failure had no position).
    pub statement: Option<usize>,
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// PostgreSQL's context (the PL/pgSQL line, for example).
    pub context: Option<String>,
    /// The file's text, for a code frame.
    pub sql: String,
}

impl SqlFailure {
    /// PostgreSQL's error `db` on the `direction` file of `m`, not yet placed in
    /// the file (no line, column or statement).
    pub(crate) fn new(m: &Migration, direction: Direction, db: &PgDatabaseError) -> SqlFailure {
        let file = m.file(direction);
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

    /// PostgreSQL's error position in the query sent, as a 0-based character index
    /// (it reports 1-based; positions inside a function body's own query are not ours).
    pub(crate) fn position(db: &PgDatabaseError) -> Option<usize> {
        match db.position() {
            Some(PgErrorPosition::Original(p)) => Some(p.saturating_sub(1)),
            _ => None,
        }
    }

    fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            (Some(l), None) => format!(":{l}"),
            _ => String::new(),
        }
    }
}
