//! The pages, server-rendered with `maud` (which escapes every interpolated value):
//! one file per page, plus the frame, links and value formatting they share.

pub mod cells;
pub mod console_page;
pub mod diagram_page;
pub mod edit_page;
pub mod error_page;
pub mod escape;
pub mod format;
pub mod home_page;
pub mod layout;
pub mod links;
pub mod migrations_page;
pub mod row_page;
pub mod structure_page;
pub mod table_page;
pub mod tabs;
