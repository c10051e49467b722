//! The engine's errors. Each variant carries what the user needs to act on it.

use std::path::PathBuf;
use std::time::Duration;

use crate::lock::LockHolder;
use crate::plan::{Direction, PlanError};
use crate::source::{SourceErrors, Track, Version};

#[derive(Debug, thiserror::Error)]
pub enum Error {
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
        Error::Database { context, message }
    }

    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Source(_) | Error::CorruptHistory { .. } | Error::SeedsApplied { .. } | Error::Unrunnable { .. } => {
                ErrorClass::Inconsistent
            }
            Error::Plan(PlanError::Inconsistent { .. }) => ErrorClass::Inconsistent,
            Error::Plan(PlanError::UnknownTarget { .. }) | Error::UnknownVersion { .. } => ErrorClass::Invalid,
            Error::Database { .. }
            | Error::LockTimeout { .. }
            | Error::Sql(_)
            | Error::Standby
            | Error::Cancelled { .. } => ErrorClass::Failed,
        }
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
    fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            (Some(l), None) => format!(":{l}"),
            _ => String::new(),
        }
    }
}
