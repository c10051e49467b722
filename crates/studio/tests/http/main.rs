//! HTTP-level tests of every page and every security rule, against a real
//! PostgreSQL (a fresh database per test).

#[path = "../common/client.rs"]
mod client;
mod console;
mod console_login;
mod edits;
mod exports;
mod harness;
mod pages;
mod roles;
mod security;
mod serve;
