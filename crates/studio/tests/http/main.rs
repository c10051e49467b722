//! HTTP-level tests of every page and every security rule, against a real
//! PostgreSQL (a fresh database per test).

mod big_database;
#[path = "../common/client.rs"]
mod client;
mod console;
mod console_login;
mod diagram;
mod edits;
#[path = "../common/erd_schema.rs"]
mod erd_schema;
mod exports;
mod harness;
mod pages;
mod roles;
mod security;
mod serve;
