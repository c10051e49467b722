//! The studio's defences, one per file: the `Host` check, the launch token and
//! session cookie, CSRF tokens, and the response headers. Read-only access is
//! enforced by the database, in [`crate::db::transaction`].

pub mod csrf;
pub mod headers;
pub mod host;
pub mod session;
pub mod token;
