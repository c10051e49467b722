//! One module per top-level command.

pub mod backup;
pub mod completions;
pub mod db;
pub mod drift;
pub mod generate;
pub mod init;
pub mod lint;
pub mod plan;
pub mod schema;
pub mod scratch;
pub mod serve;
pub mod squash;
pub mod track;
pub mod verify;
