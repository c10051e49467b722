//! Every statement of the studio runs in a transaction opened here. Read-only is
//! PostgreSQL's `READ ONLY` transaction, not a check in the studio: whatever SQL a
//! user writes, the server refuses to change anything. Each transaction also gets
//! the configured `statement_timeout`, and an idle timeout so an abandoned export
//! cannot hold a snapshot for long.

use std::time::Duration;

use sqlx::{PgPool, Postgres, Transaction};

use crate::config::StudioConfig;
use crate::db::error::DbError;

/// Whether a transaction may change data. A read-write transaction needs a
/// [`Writable`], which only [`Writable::check`] gives out: the studio's one check
/// that it was started with `--write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite(Writable),
}

/// Proof that the studio was started with `--write`, for an action it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writable(());

/// Row edits, refused by a read-only studio.
pub const EDIT_ROWS: &str = "edit rows";
/// A console statement run with "commit", refused by a read-only studio.
pub const COMMIT_CHANGES: &str = "commit changes";

impl Writable {
    /// The one check that the studio was started with `--write`, before anything
    /// is opened [`Access::ReadWrite`]; `action` names what is refused.
    pub fn check(config: &StudioConfig, action: &'static str) -> Result<Writable, DbError> {
        if config.write { Ok(Writable(())) } else { Err(DbError::ReadOnly { action }) }
    }
}

impl Access {
    /// Whether the transaction may change data.
    pub fn writes(self) -> bool {
        matches!(self, Access::ReadWrite(_))
    }
}

/// How long an export may wait for a slow reader between two batches.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Opens a transaction with the given access and statement timeout.
pub async fn begin(
    pool: &PgPool,
    access: Access,
    timeout: Duration,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let statement = match access {
        Access::ReadOnly => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        Access::ReadWrite(_) => "BEGIN READ WRITE",
    };
    let mut tx = pool.begin_with(statement).await?;
    sqlx::query(
        "SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $1, true),
                set_config('idle_in_transaction_session_timeout', $2, true)",
    )
    .bind(millis(timeout))
    .bind(millis(IDLE_TIMEOUT))
    .execute(&mut *tx)
    .await?;
    Ok(tx)
}

/// A duration as PostgreSQL's milliseconds setting (at least 1: 0 would mean none).
fn millis(d: Duration) -> String {
    d.as_millis().clamp(1, i32::MAX as u128).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_studio_started_with_write_gives_out_write_access() {
        let read_only = StudioConfig::new(false);
        let refused = Writable::check(&read_only, EDIT_ROWS).unwrap_err();
        assert!(matches!(refused, DbError::ReadOnly { action: EDIT_ROWS }), "{refused:?}");
        let writable = Writable::check(&StudioConfig::new(true), COMMIT_CHANGES).unwrap();
        assert!(Access::ReadWrite(writable).writes());
        assert!(!Access::ReadOnly.writes());
    }

    #[test]
    fn timeouts_never_become_unlimited() {
        assert_eq!(millis(Duration::ZERO), "1");
        assert_eq!(millis(Duration::from_secs(5)), "5000");
    }
}
