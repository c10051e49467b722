//! The routes and the order of the defences around them: one log line per
//! request, then security headers on every response, then the `Host` check, then
//! the session, then CSRF.

use axum::Router;
use axum::http::Request;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

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
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(studio)
}

/// The span of one request, as tower-http's default but with the path alone: the
/// query string carries the launch token and the values typed into filters,
/// which stay out of the log. Its target is tower-http's own, so the filter that
/// shows the API's request lines (`tower_http::trace=info`) shows these too.
fn request_span<B>(request: &Request<B>) -> Span {
    tracing::info_span!(
        target: "tower_http::trace::make_span",
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        version = ?request.version(),
    )
}
