//! Stopping a run from outside (Ctrl-C): the caller asks, the runner stops.
//!
//! The runner records its backend's pid here; the caller, on a signal, calls
//! [`Cancel::request`] and then cancels that backend's running statement from a
//! second connection (`pg_cancel_backend`). The statement fails, the file's
//! transaction rolls back, and the runner returns [`crate::ErrorKind::Cancelled`]
//! with the files committed before it in its report. Between files the runner
//! checks [`Cancel::is_requested`], so a request that finds nothing running
//! still stops the run before its next file.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// A handle shared by the runner and whoever may stop it; clones share one state.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<State>);

#[derive(Debug, Default)]
struct State {
    requested: AtomicBool,
    /// The runner's backend pid, 0 until known.
    backend: AtomicI32,
}

impl Cancel {
    /// Asks the run to stop. The caller then cancels the statement running on
    /// [`Cancel::backend_pid`], if any.
    pub fn request(&self) {
        self.0.requested.store(true, Ordering::SeqCst);
    }

    pub fn is_requested(&self) -> bool {
        self.0.requested.load(Ordering::SeqCst)
    }

    /// The pid of the runner's connection on the server, once the run started.
    pub fn backend_pid(&self) -> Option<i32> {
        Some(self.0.backend.load(Ordering::SeqCst)).filter(|&p| p != 0)
    }

    pub(crate) fn set_backend_pid(&self, pid: i32) {
        self.0.backend.store(pid, Ordering::SeqCst);
    }
}
