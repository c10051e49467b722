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
    Finished {
        migration: &'a Migration,
        direction: Direction,
        elapsed: Duration,
    },
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
