//! The strata reference application: the `auth` / `master` / `app` schema's typed models,
//! request validation, queries and the HTTP JSON API under `/api`.
//!
//! [`router`] is the whole API as an axum `Router` (`strata serve` runs it in the
//! binary's HTTP server, with its limits on slow and idle clients). The layers, outermost first: [`http`] (routes, extractors, errors, OpenAPI),
//! [`domain`] (request types that are valid by construction), [`auth`] (passwords,
//! sessions, phone codes), [`db`] (one module of queries per table) and [`models`]
//! (row types, checked against the migrated catalog). [`roles`] names the database
//! roles the migrations create, so the API can run with the application's rights only.

pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod http;
pub mod models;
pub mod roles;

pub use auth::{LogSender, SendError, Sender};
pub use config::AppConfig;
pub use demo::{DEMO_PASSWORD, DEMO_USERS};
pub use http::{openapi, router, router_with_sender};
pub use roles::{APP_ROLE, OWNER_ROLE, READONLY_ROLE};
