//! How a run behaves: the history table, the lock wait, who is recorded as running it.

use std::time::Duration;

use crate::cancel::Cancel;
use crate::history::HistoryTable;

/// PostgreSQL's `lock_timeout` for migration statements unless configured.
pub const DEFAULT_DDL_LOCK_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a file that timed out waiting for a lock is retried unless configured.
pub const DEFAULT_LOCK_RETRY_FOR: Duration = Duration::from_secs(300);

/// How the runner behaves; the defaults are the documented ones.
#[derive(Debug, Clone)]
pub struct Options {
    pub history: HistoryTable,
    /// How long to poll for strata's own runner lock (an advisory lock) before
    /// giving up: `--lock-timeout`. Not PostgreSQL's `lock_timeout`, which is
    /// [`Options::ddl_lock_timeout`].
    pub lock_timeout: Duration,
    /// PostgreSQL's `lock_timeout` for every statement a file runs
    /// (`[migrate] lock_timeout`, `--ddl-lock-timeout`); `Duration::ZERO` turns it
    /// off. A file's `-- strata:lock-timeout` directive overrides it.
    pub ddl_lock_timeout: Duration,
    /// PostgreSQL's `statement_timeout` for every statement a file runs
    /// (`[migrate] statement_timeout`); `Duration::ZERO`, the default, is no limit.
    /// A file's `-- strata:statement-timeout` directive overrides it.
    pub statement_timeout: Duration,
    /// How long a file that failed with `lock_not_available` (55P03) is retried,
    /// with backoff, before the run gives up (`[migrate] lock_retry_for`).
    pub lock_retry_for: Duration,
    /// Where to open a second connection that, while a statement waits for a
    /// lock, reads who blocks it ([`crate::Event::Blocked`]). `None`: nobody is named.
    pub monitor: Option<sqlx::postgres::PgConnectOptions>,
    /// Recorded in the history row as who ran it (`user@host`).
    pub applied_from: String,
    /// Lets the caller stop the run (Ctrl-C); nobody requests it by default.
    pub cancel: Cancel,
    /// How the pending files of an `up` run are grouped into transactions.
    pub transactions: Transactions,
}

/// How the files of an `up` run are grouped into transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transactions {
    /// Each file in a transaction of its own, with its history row (the default):
    /// a failure keeps the files before it.
    #[default]
    PerFile,
    /// Every pending file and its history row in one transaction
    /// (`--single-transaction`): all or nothing. Refused before anything runs
    /// when a pending file is `-- strata:no-transaction`.
    Single,
    /// One transaction when no pending file is `-- strata:no-transaction`, else
    /// per file: what `strata dev`, scratch databases and test databases use.
    SingleWhenPossible,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            history: HistoryTable::default(),
            lock_timeout: Duration::from_secs(60),
            ddl_lock_timeout: DEFAULT_DDL_LOCK_TIMEOUT,
            statement_timeout: Duration::ZERO,
            lock_retry_for: DEFAULT_LOCK_RETRY_FOR,
            monitor: None,
            applied_from: whoami(),
            cancel: Cancel::default(),
            transactions: Transactions::PerFile,
        }
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
