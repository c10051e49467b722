//! What a run did, also when it stopped part-way (refinery's `Report`, carried
//! by [`crate::Error::report`]).

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
