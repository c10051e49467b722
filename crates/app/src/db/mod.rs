//! The application's SQL, one module per table. Every query names its schema; the
//! functions take a pool or a connection and return model types or plain values.
//! Mapping database errors to HTTP statuses is the HTTP layer's business.

pub mod categories;
pub mod items;
pub mod locations;
pub mod phone_verifications;
pub mod sessions;
pub mod users;

use std::time::Duration;

use sqlx::postgres::PgConnectOptions;

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

/// A duration as the `float8` seconds that `make_interval(secs => ...)` takes.
fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}
