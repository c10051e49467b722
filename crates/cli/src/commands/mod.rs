//! One module per top-level command.

pub mod db;
pub mod generate;
pub mod track;
pub mod verify;
