//! The routes and the order of the defences around them: security headers on
//! every response, then the `Host` check, then the session, then CSRF.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};

use crate::routes::{assets, console, diagram, edit, export, fallback, home, migrations, row, rows, structure};
use crate::security::{csrf, headers, host, session};
use crate::state::Studio;

/// Every page of the studio.
pub fn build(studio: Studio) -> Router {
    Router::new()
        .route("/", get(home::show))
        .route("/s/{schema}/{table}", get(rows::show))
        .route("/s/{schema}/{table}/row", get(row::show))
        .route("/s/{schema}/{table}/structure", get(structure::show))
        .route("/s/{schema}/{table}/export", get(export::table))
        .route("/s/{schema}/{table}/edit", get(edit::edit_form).post(edit::update))
        .route("/s/{schema}/{table}/insert", get(edit::insert_form).post(edit::insert))
        .route("/s/{schema}/{table}/delete", post(edit::delete))
        .route("/console", get(console::form).post(console::run))
        .route("/console/export", post(export::query))
        .route("/migrations", get(migrations::show))
        .route("/erd", get(diagram::page))
        .route("/erd.svg", get(diagram::file))
        .route("/assets/{name}", get(assets::serve))
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(from_fn(csrf::check))
        .layer(from_fn_with_state(studio.clone(), session::require))
        .layer(from_fn_with_state(studio.clone(), host::check))
        .layer(from_fn(headers::add))
        .with_state(studio)
}
