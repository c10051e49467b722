//! One module per top-level command.

pub mod backup;
pub mod db;
pub mod generate;
pub mod lint;
pub mod serve;
pub mod track;
pub mod verify;
