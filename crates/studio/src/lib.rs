//! `strata-studio`: a browser for multi-schema PostgreSQL, served by the `strata`
//! binary itself (`strata studio`, `strata dev`) as an axum [`Router`].
//!
//! - Pages are HTML rendered on the server, with one embedded stylesheet and one
//!   small script; everything works without the script.
//! - Every schema at once, rows with keyset paging, typed filters and sorting,
//!   foreign keys followed both ways and across schemas, a row page, the structure
//!   with DDL, a SQL console, CSV/JSON exports, the migrations tab and a diagram.
//! - Security: loopback only unless configured otherwise, a launch token exchanged
//!   for an `HttpOnly`, `SameSite=Strict` cookie, a `Host` check, CSRF tokens on
//!   every POST, no SQL in GET requests, `READ ONLY` transactions unless started
//!   with `--write`, identifiers quoted and values bound, a strict CSP. The SQL
//!   console runs only on a login that cannot reach past the database
//!   ([`db::login`]), on a pool of its own whose connections are closed after each
//!   run, with caps on rows, characters per value and bytes per page.
//!
//! ```no_run
//! # async fn run(pool: sqlx::PgPool) -> std::io::Result<()> {
//! let config = strata_studio::StudioConfig::new(false);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:4983").await?;
//! println!("{}", strata_studio::launch_url(listener.local_addr()?, &config));
//! strata_studio::serve(listener, pool, config, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

pub mod config;
pub mod db;
pub mod diagram;
pub mod error;
pub mod export;
pub mod html;
pub mod migrations;
pub mod router;
pub mod routes;
pub mod security;
pub mod serve;
pub mod state;
pub mod table_state;

use axum::Router;
use sqlx::PgPool;

pub use config::StudioConfig;
pub use error::StudioError;
pub use serve::{BindError, check_bind, launch_url, serve};

/// The whole studio as a router, ready for `axum::serve` (or tests).
pub fn router(pool: PgPool, config: StudioConfig) -> Router {
    router::build(state::Studio::new(pool, config))
}
