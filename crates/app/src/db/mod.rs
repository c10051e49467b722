//! The application's SQL, one module per table. Every query names its schema; the
//! functions take a pool or a connection and return model types or plain values.
//! Mapping database errors to HTTP statuses is the HTTP layer's business.

pub mod categories;
mod handle;
pub mod items;
pub mod locations;
pub mod phone_verifications;
pub mod sessions;
mod tree;
pub mod users;

use std::time::Duration;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use handle::{Conn, Db};

use crate::config::AppConfig;

/// `options` for the API's connections: PostgreSQL cancels any statement that runs
/// longer than `config.statement_timeout` (answered 503 `database_timeout`), so no
/// request holds a connection and a backend for long, whatever the data (a loop in a
/// tree that a trigger did not guard, a lock held by a migration). Set at connection
/// start, so it holds from the first statement, whatever login or `SET ROLE` follows.
pub fn connect_options(options: PgConnectOptions, config: &AppConfig) -> PgConnectOptions {
    let millis = config.statement_timeout.as_millis().min(i32::MAX as u128);
    options.options([("statement_timeout", millis.to_string())])
}

/// Connections the pool may open.
pub const MAX_CONNECTIONS: u32 = 16;

/// How long a request waits for a connection: while PostgreSQL is down the API answers
/// 503 promptly instead of holding requests for sqlx's default 30 s.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection idle longer than this is checked (one round trip) before a request
/// gets it; one in steady use is not.
pub const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

/// The API's pool: [`MAX_CONNECTIONS`], [`ACQUIRE_TIMEOUT`], and no health check of
/// connections in steady use.
///
/// sqlx checks every connection with a round trip before handing it out
/// (`test_before_acquire`), on top of the one it makes when the connection comes back.
/// Under load that check was a third of the API's round trips and 20% of the server's
/// CPU (bench/RESULTS.md). It only helps with a connection that died while idle (the
/// database restarted, or an administrator ended the session), so it is made only for
/// connections idle longer than [`CHECK_IDLE_AFTER`]: after a quiet spell, a dead
/// connection is replaced before a request sees it. One that dies while in use fails
/// its request with 503 `database_unavailable` and is closed (sqlx's check on return),
/// and the next requests get new connections (`crates/app/tests/api/pool_recovery.rs`).
/// The API wraps this pool in a [`Db`], which also spares the check on return after
/// a query that ended cleanly.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > CHECK_IDLE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

/// A duration as the `float8` seconds that `make_interval(secs => ...)` takes.
fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}
