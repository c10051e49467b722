//! The HTTP API against a real PostgreSQL: one fresh database per test, migrated and
//! seeded from `migrations/`, requests sent to the router in process.

mod auth;
#[path = "../common/client.rs"]
mod client;
mod db_handle;
mod errors;
mod items;
mod login_limits;
mod openapi;
mod phone;
mod pool_recovery;
mod reference;
mod roles;
mod schema;
mod seeds;
mod serve;
mod support;
mod text_inputs;
mod timeouts;
