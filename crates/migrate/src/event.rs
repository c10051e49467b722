//! What a run tells its caller while it runs, for progress bars and NDJSON.

use std::time::Duration;

use crate::lock::LockHolder;
use crate::plan::Direction;
use crate::source::{Migration, Track};

/// What the runner is doing.
#[derive(Debug)]
pub enum Event<'a> {
    /// Another runner holds the lock; polling until it is released.
    LockWaiting {
        holder: Option<&'a LockHolder>,
    },
    LockAcquired,
    Planned {
        track: Track,
        direction: Direction,
        count: usize,
    },
    Started {
        migration: &'a Migration,
        direction: Direction,
        index: usize,
        count: usize,
    },
    /// A statement of `migration` has waited for a lock for a while: `blocker`
    /// holds it (said once per blocking session and run).
    Blocked {
        migration: &'a Migration,
        blocker: &'a Blocker,
    },
    /// `migration` (a transactional file) or one statement of it (a
    /// no-transaction file) failed with `lock_not_available` (55P03): it runs
    /// again after `delay`. `attempt` is the attempt about to be made (2 for
    /// the first retry); `waited` is the time since its first failure.
    LockRetry {
        migration: &'a Migration,
        attempt: u32,
        delay: Duration,
        waited: Duration,
        /// 1-based statement of a no-transaction file retried alone.
        statement: Option<usize>,
    },
    /// Before running a no-transaction statement again, the runner dropped an
    /// index that an earlier attempt left INVALID (`pg_index.indisvalid`).
    InvalidIndexDropped {
        migration: &'a Migration,
        index: &'a str,
    },
    Finished {
        migration: &'a Migration,
        direction: Direction,
        elapsed: Duration,
    },
}

/// A session that holds a lock a migration statement waits for, as
/// `pg_blocking_pids` and `pg_stat_activity` describe it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Blocker {
    /// The lock mode waited for, as in SQL (`ACCESS EXCLUSIVE`).
    pub waiting_for: String,
    /// What it is a lock on: a relation (`app.items`), or another kind of lock.
    pub on: String,
    pub pid: i32,
    pub application_name: String,
    pub user: Option<String>,
    /// The client's address; `None` for a Unix socket.
    pub client_addr: Option<String>,
    /// `pg_stat_activity.state` (`idle in transaction`, `active`...).
    pub state: Option<String>,
    /// How long its transaction has been open, in whole seconds.
    pub transaction_seconds: Option<i64>,
    /// The start of its current or last query.
    pub query: String,
}

impl std::fmt::Display for Blocker {
    /// `waiting for ACCESS EXCLUSIVE on app.items: blocked by pid 4242 (psql,
    /// report@10.0.0.7, idle in transaction for 41 s: "SELECT count(*) FROM app.items")`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "waiting for {} on {}: blocked by pid {} (", self.waiting_for, self.on, self.pid)?;
        if !self.application_name.is_empty() {
            write!(f, "{}, ", self.application_name)?;
        }
        let user = self.user.as_deref().unwrap_or("?");
        write!(f, "{user}@{}, ", self.client_addr.as_deref().unwrap_or("local"))?;
        write!(f, "{}", self.state.as_deref().unwrap_or("unknown state"))?;
        if let Some(s) = self.transaction_seconds {
            // How long its transaction has been open (the wording: "idle in transaction for 41 s").
            write!(f, " for {s} s")?;
        }
        write!(f, ": {:?})", self.query)
    }
}

/// Receives events; `()` ignores them.
pub trait Observer {
    fn on(&mut self, event: &Event<'_>);
}

impl Observer for () {
    fn on(&mut self, _: &Event<'_>) {}
}

impl<F: FnMut(&Event<'_>)> Observer for F {
    fn on(&mut self, event: &Event<'_>) {
        self(event)
    }
}
