//! How a run behaves: the history table, the lock wait, who is recorded as running it.

use std::time::Duration;

use crate::cancel::Cancel;
use crate::history::HistoryTable;

/// How the runner behaves; the defaults are the documented ones.
#[derive(Debug, Clone)]
pub struct Options {
    pub history: HistoryTable,
    /// How long to poll for the runner lock before giving up.
    pub lock_timeout: Duration,
    /// Recorded in the history row as who ran it (`user@host`).
    pub applied_from: String,
    /// Lets the caller stop the run (Ctrl-C); nobody requests it by default.
    pub cancel: Cancel,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            history: HistoryTable::default(),
            lock_timeout: Duration::from_secs(60),
            applied_from: whoami(),
            cancel: Cancel::default(),
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
