//! The handlers, one file per page (or family of pages), and what they share.

pub mod assets;
pub mod console;
pub mod context;
pub mod db_error;
pub mod diagram;
pub mod edit;
pub mod export;
pub mod fallback;
pub mod form;
pub mod home;
pub mod migrations;
pub mod row;
pub mod rows;
pub mod structure;
