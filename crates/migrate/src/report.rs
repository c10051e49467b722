//! What a run did, also when it stopped part-way (refinery's `Report`).

use crate::error::Error;
use crate::plan::Direction;
use crate::source::{Track, Version};

/// One file run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Done {
    pub track: Track,
    pub version: Version,
    pub description: String,
    pub direction: Direction,
    pub elapsed_ms: u64,
}

/// What a run did, also when it failed part-way.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub done: Vec<Done>,
}

/// A run that stopped: what it had done, and why it stopped. Displays as its
/// error (which is not repeated as a source).
#[derive(Debug)]
pub struct Failure {
    pub report: Report,
    pub error: Error,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { report: Report::default(), error }
    }
}
