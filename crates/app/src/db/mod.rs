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

/// A duration as the `float8` seconds that `make_interval(secs => ...)` takes.
fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}
